/** PDQ: the image hash the field exchanges. Pure kernels, no I/O. */
export * from "./hash256.js";
export * from "./pdq.js";
export { DIHEDRAL_NAMES, type DihedralName } from "./dihedral.js";
export { isGreyscale, lumaOf, type LumaRowSource, type Pixels } from "./luma.js";
export { jaroszWindowSize } from "./jarosz.js";
