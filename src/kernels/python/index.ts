/** Python behaviour reproduced for HMA compatibility: its seeded coin flip and number formatting. */
export { pythonSeededRandom } from "./random.js";
export { pythonFloat3 } from "./format.js";
