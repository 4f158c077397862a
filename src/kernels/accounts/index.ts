/** Accounts and ban evasion: records, name skeletons, scoring, the candidate index. Pure, no I/O. */
export { canonicalAccountJson, parseAccount, parseAccountJson, type AccountRecord } from "./account.js";
export { AccountIndex, MAX_CANDIDATES, MAX_POSTINGS, type AccountHit } from "./account-index.js";
export {
  ACCOUNT_FEATURES,
  ACCOUNT_MODEL,
  UNLEARNED_FEATURES,
  accountFeatures,
  type HandleRarity,
  scoreAccount,
  prepareAccount,
  type AccountFeature,
  type AccountScore,
  type Evidence,
  type HandleVariant,
  type PreparedAccount,
} from "./score.js";
export {
  consonantKey,
  editDistance,
  handleForm,
  leetKey,
  lookalikeKey,
  nameForm,
  sortedKey,
  strippedKey,
  transliterateArabic,
} from "./skeleton.js";
