/** Exact Hamming search over PDQ hashes: multi-index segments, mutable, no I/O. */
export * from "./pdq-index.js";
export { MihSegment, MAX_SEGMENT_ENTRIES, BUILD_SLICE } from "./segment.js";
export { WRITE_BUFFER_ENTRIES } from "./write-buffer.js";
export * from "./words.js";
