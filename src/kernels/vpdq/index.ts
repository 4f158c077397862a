/** vPDQ video matching: pure, no I/O (hashing frames is PDQ; decoding is media/video.ts). */
export * from "./match.js";
