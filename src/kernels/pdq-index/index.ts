/** Exact Hamming search over PDQ hashes: multi-index segments, mutable, no I/O. */
export * from "./pdq-index.js";
export { MihSegment, MAX_SEGMENT_ENTRIES } from "./segment.js";
export * from "./words.js";
