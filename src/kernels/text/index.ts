/** Near-duplicate text matching: normalisation, shingles, MinHash, LSH index. Pure, no I/O. */
export { normalizeText, normalizeTextWith, type NormalizeOptions } from "./normalize.js";
export { foldArabic } from "./arabic.js";
export { foldHomoglyphs, foldLookalikeLetters } from "./homoglyphs.js";
export { applyHashtagPolicy, type HashtagPolicy } from "./social.js";
export { SHINGLE_SIZE, jaccard, shingleHashes } from "./shingles.js";
export { MINHASH_SIZE, estimateJaccard, minhashSignature } from "./minhash.js";
export { LSH_BANDS, LSH_ROWS, bandKeys, candidateProbability } from "./lsh.js";
export { MIN_SHINGLES, textFingerprint, type TextFingerprint } from "./fingerprint.js";
export { DEFAULT_MIN_SIMILARITY, TextIndex, type TextMatch } from "./text-index.js";
export { KeywordAutomaton, type Keyword, type KeywordHit } from "./keywords.js";
