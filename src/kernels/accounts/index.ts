/** Accounts and ban evasion: records, name skeletons, scoring, the candidate index. Pure, no I/O. */
export { canonicalAccountJson, parseAccount, parseAccountJson, type AccountRecord } from "./account.js";
export { AccountIndex, MAX_POSTINGS, type AccountHit } from "./account-index.js";
export { scoreAccount, prepareAccount, type AccountScore, type Evidence, type HandleVariant } from "./score.js";
export { consonantKey, editDistance, handleForm, leetKey, strippedKey, transliterateArabic } from "./skeleton.js";
