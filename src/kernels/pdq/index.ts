/** PDQ: the image hash the field exchanges. Pure kernels, no I/O. */
export * from "./hash256.js";
export * from "./pdq.js";
export { DIHEDRAL_NAMES, type DihedralName } from "./dihedral.js";
export { floatLuma, isGreyscale, lumaOf, nearestPixelLuma, pixelLuma, type LumaSource, type Pixels } from "./luma.js";
export { jaroszWindowSize } from "./jarosz.js";
