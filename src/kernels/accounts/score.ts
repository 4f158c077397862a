/**
 * Scoring one account against another for ban evasion: each kind of evidence gives features in
 * 0..1 and the score is a logistic model of them (decisions 0026, 0033, 0040), learned and
 * checked by `npm run bench -- accounts`. The part two handles share counts by its length and,
 * when the index says, by how few banked accounts hold it (its rarity).
 */

import { hexToWords, wordsDistance } from "../pdq-index/words.js";
import { MIN_SHINGLES, jaccard, normalizeText, shingleHashes } from "../text/index.js";
import type { AccountRecord } from "./account.js";
import {
  consonantKey,
  editDistance,
  handleForm,
  leetKey,
  lookalikeKey,
  nameForm,
  nameSimilarity,
  strippedKey,
} from "./skeleton.js";

/** An account with the forms matching needs, computed once. */
export interface PreparedAccount {
  readonly record: AccountRecord;
  readonly form: string;
  readonly stripped: string;
  readonly leet: string;
  /** Every digit read as a letter (`lookalikeKey`). */
  readonly lookalike: string;
  readonly nameForm: string;
  readonly nameConsonants: string;
  readonly bioNormalized: string;
  readonly bioShingles: Uint32Array;
  /** Whether the bio is long enough for MinHash bands (else it matches by its normal form). */
  readonly bioLong: boolean;
  /** The avatar PDQ as the PDQ index's eight words. */
  readonly avatar: Uint32Array | undefined;
}

export function prepareAccount(record: AccountRecord): PreparedAccount {
  const form = handleForm(record.handle);
  // The text matcher's normal form and shingles (its own MinHash is not needed: the account
  // index takes the few rows its bands use).
  const bioNormalized = normalizeText(record.bio ?? "");
  const bioShingles = shingleHashes(bioNormalized);
  return {
    record,
    form,
    stripped: strippedKey(form),
    leet: leetKey(form),
    lookalike: lookalikeKey(form),
    nameForm: nameForm(record.name ?? ""),
    nameConsonants: consonantKey(record.name ?? ""),
    bioNormalized,
    bioShingles,
    bioLong: bioShingles.length >= MIN_SHINGLES,
    avatar: record.avatarPdq ? hexToWords(record.avatarPdq) : undefined,
  };
}

/** How a handle relates to a suspended one. */
export type HandleVariant = "same" | "platform-id" | "digits" | "look-alike" | "edit" | "transliteration";

/** One piece of evidence, shown to reviewers beside the two accounts. */
export type Evidence =
  | { readonly kind: "platform-id"; readonly strength: number; readonly value: string }
  | {
      readonly kind: "handle";
      readonly strength: number;
      readonly variant: HandleVariant;
      readonly query: string;
      readonly matched: string;
      readonly similarity: number;
    }
  | {
      readonly kind: "name";
      readonly strength: number;
      readonly query: string;
      readonly matched: string;
      readonly similarity: number;
    }
  | { readonly kind: "bio"; readonly strength: number; readonly similarity: number }
  | { readonly kind: "avatar"; readonly strength: number; readonly distance: number }
  | { readonly kind: "links"; readonly strength: number; readonly shared: readonly string[] }
  | { readonly kind: "mentions"; readonly strength: number; readonly shared: readonly string[] };

export interface AccountScore {
  /** 0..1: the logistic model's probability that the candidate is the query's earlier account. */
  readonly score: number;
  /** Strongest first; only evidence that raises the score (strength: its log-odds contribution). */
  readonly evidence: readonly Evidence[];
}

/** Handles this short carry too little to match on their own. */
const MIN_HANDLE = 4;
/** Avatar PDQ distances up to this count as evidence. */
export const AVATAR_MAX_DISTANCE = 31;
/** Avatar PDQ distances up to this count as the same picture. */
const AVATAR_SAME_DISTANCE = 16;

const ramp = (x: number, from: number, to: number): number => Math.max(0, Math.min(1, (x - from) / (to - from)));

/** Kunya and nasab prefixes: "abutariq" says little more than "tariq", a common name. */
const KUNYA_RE = /^(abu|abou|ibn|bin|umm|bint|abdul|abd)+/;

/**
 * How distinctive the part of a handle two accounts share is, 0..1: its characters after a
 * leading kunya or nasab, 0 for three, 1 for nine or more. A long one ("warreporter") is
 * near-proof; a kunya and a given name ("abutariq") is many people's. Digits the two handles
 * share count as characters too ("ro34th": 6, where its letters are 4).
 */
function handleLength(key: string): number {
  return ramp(key.replace(KUNYA_RE, "").length, 3, 9);
}

/** The features of the logistic model, in this order (decision 0026). */
export const ACCOUNT_FEATURES = [
  "handle_same",
  "handle_same_x_length",
  "handle_same_x_length_x_rare",
  "handle_edit",
  "handle_edit_x_length",
  "name",
  "bio",
  "avatar",
  "links",
  "mentions",
] as const;
export type AccountFeature = (typeof ACCOUNT_FEATURES)[number];

/**
 * The logistic model: score = 1 / (1 + e^−(bias + Σ weight × feature)). Learned by
 * `npm run bench -- accounts` (logistic regression on the training half of the Fifth Tribe
 * accounts' variants and hard negatives, split by person; docs/accounts.md), which prints the
 * weights it learns and checks these against them.
 */
export const ACCOUNT_MODEL: { readonly bias: number; readonly weights: Readonly<Record<AccountFeature, number>> } = {
  bias: -6.19,
  weights: {
    handle_same: 5.8,
    handle_same_x_length: 3.24,
    handle_same_x_length_x_rare: 2.5,
    handle_edit: 4.55,
    handle_edit_x_length: 5.79,
    name: 5.69,
    bio: 8.59,
    avatar: 6.63,
    // Not learned: the evaluation data has no profile links. Set to the weight learned for
    // mentions, the other network evidence (a shared link is rarer than a shared mention).
    links: 3.86,
    mentions: 3.86,
  },
};

/** Features the bench's data holds no evidence of, so their weights are set, not learned. */
export const UNLEARNED_FEATURES: readonly AccountFeature[] = ["links"];

interface Pair {
  readonly features: Float64Array;
  readonly evidence: Evidence[];
}

/**
 * How many banked accounts hold each of the query's handle keys (the index counts them; 0 when
 * unknown, as for a pair scored on its own). A skeleton one account holds is rarer evidence than
 * one a hundred hold: the bank's size is in the score.
 */
export interface HandleRarity {
  readonly form: number;
  readonly stripped: number;
  readonly leet: number;
  readonly lookalike: number;
}

/** 1 for a key one account holds, 1/2 for two, 1/3 for four…; 0 when unknown. */
const rarity = (holders: number): number => (holders > 0 ? 1 / (1 + Math.log2(holders)) : 0);

/** Whether a handle has enough to match on: four letters, or a long form of digits ("06230550_IS"). */
const handleCounts = (p: PreparedAccount): boolean =>
  p.stripped.length >= MIN_HANDLE || p.lookalike.length >= MIN_HANDLE || p.form.length >= 6;

function handleFeatures(
  q: PreparedAccount,
  c: PreparedAccount,
  x: Float64Array,
  holders: HandleRarity | undefined,
): Evidence | undefined {
  if (!handleCounts(q) || !handleCounts(c)) return undefined;
  const base = { kind: "handle" as const, query: q.record.handle, matched: c.record.handle, strength: 0 };
  // Of the keys the two handles share, the one that keeps most of the handle: the same form
  // keeps its digits ("_1515Ummah" / "1515Ummah"), the look-alike keys the digits read as letters
  // ("r0347h" / "ro34th", "abu74riq040" / "abutariq040"), the stripped key only the letters
  // (decision 0040). Its length is what the two share; its holders are counted by the index.
  let variant: HandleVariant | undefined;
  let length = -1;
  let held = 0;
  const shares: readonly (readonly [HandleVariant, boolean, string, number | undefined])[] = [
    ["same", q.form === c.form, c.form, holders?.form],
    ["digits", q.stripped === c.stripped && q.stripped.length >= MIN_HANDLE, c.stripped, holders?.stripped],
    ["look-alike", q.leet === c.leet && q.leet.length >= MIN_HANDLE, c.leet, holders?.leet],
    ["look-alike", q.lookalike === c.lookalike && q.lookalike.length >= MIN_HANDLE, c.lookalike, holders?.lookalike],
  ];
  for (const [v, equal, key, count] of shares) {
    if (!equal) continue;
    const l = handleLength(key);
    if (l > length) {
      variant = v;
      length = l;
      held = count ?? 0;
    }
  }
  if (variant !== undefined) {
    x[0] = 1;
    x[1] = length;
    x[2] = length * rarity(held);
    return { ...base, variant, similarity: 1 };
  }
  const longer = Math.max(q.leet.length, c.leet.length);
  if (longer === 0) return undefined;
  const d = Math.min(editDistance(q.leet, c.leet, 2), editDistance(q.stripped, c.stripped, 2));
  if (d > 2) return undefined;
  const similarity = 1 - d / longer;
  // One edit in a 12-letter handle: 0.92 → 0.67; two edits: 0.83 → 0.33; a third of the letters: 0.
  const edit = ramp(similarity, 0.75, 1);
  if (edit === 0) return undefined;
  x[3] = edit;
  x[4] = edit * handleLength(c.stripped.length >= MIN_HANDLE ? c.stripped : c.lookalike);
  return { ...base, variant: "edit", similarity };
}

function nameFeature(q: PreparedAccount, c: PreparedAccount, x: Float64Array): Evidence | undefined {
  if (!q.record.name || !c.record.name) return undefined;
  let similarity = q.nameForm.length >= 3 ? nameSimilarity(q.nameForm, c.nameForm, 0.7) : 0;
  if (q.nameConsonants.length >= 3 && q.nameConsonants === c.nameConsonants) similarity = Math.max(similarity, 0.95);
  x[5] = ramp(similarity, 0.7, 1);
  return x[5] > 0 ? { kind: "name", query: q.record.name, matched: c.record.name, similarity, strength: 0 } : undefined;
}

/** Bio similarity: Jaccard of the shingle sets, or 1 for equal normal forms. */
export function bioSimilarity(q: PreparedAccount, c: PreparedAccount): number {
  if (q.bioNormalized.length < 8 || c.bioNormalized.length < 8) return 0;
  if (q.bioNormalized === c.bioNormalized) return 1;
  return jaccard(q.bioShingles, c.bioShingles);
}

function shared(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (!a || !b || a.length === 0 || b.length === 0) return [];
  // Profiles list a few links and mentions: a scan beats building a Set per candidate.
  if (a.length * b.length <= 256) return a.filter((x) => b.includes(x));
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

/** The model's features for `candidate` (a suspended account) as the return of `query`, with the evidence. */
export function accountFeatures(q: PreparedAccount, c: PreparedAccount, holders?: HandleRarity): Pair {
  const x = new Float64Array(ACCOUNT_FEATURES.length);
  const evidence: Evidence[] = [];
  const h = handleFeatures(q, c, x, holders);
  if (h) evidence.push(h);
  const n = nameFeature(q, c, x);
  if (n) evidence.push(n);
  const bio = bioSimilarity(q, c);
  // Unrelated bios share a few common 4-letter shingles (below 0.25 it is noise); one word
  // changed in a short bio already drops Jaccard to 0.6.
  x[6] = ramp(bio, 0.25, 0.5);
  if (x[6] > 0) evidence.push({ kind: "bio", similarity: bio, strength: 0 });
  if (q.avatar && c.avatar) {
    const distance = wordsDistance(q.avatar, 0, c.avatar, 0);
    if (distance <= AVATAR_MAX_DISTANCE) {
      // Unrelated PDQ hashes differ in about 128 bits; a re-encoded or resized image is within
      // about 16. So up to 16 is the same picture (1), fading to nothing at 32 (decision 0033).
      x[7] = Math.min(1, (AVATAR_MAX_DISTANCE + 1 - distance) / (AVATAR_MAX_DISTANCE + 1 - AVATAR_SAME_DISTANCE));
      evidence.push({ kind: "avatar", distance, strength: 0 });
    }
  }
  const links = shared(q.record.links, c.record.links);
  x[8] = Math.min(3, links.length) / 3;
  if (links.length > 0) evidence.push({ kind: "links", shared: links, strength: 0 });
  const mentions = shared(q.record.mentions, c.record.mentions);
  x[9] = Math.min(5, mentions.length) / 5;
  if (mentions.length > 0) evidence.push({ kind: "mentions", shared: mentions, strength: 0 });
  return { features: x, evidence };
}

/** Which features each kind of evidence stands for. */
const EVIDENCE_FEATURES: Readonly<Record<Exclude<Evidence["kind"], "platform-id">, readonly number[]>> = {
  handle: [0, 1, 2, 3, 4],
  name: [5],
  bio: [6],
  avatar: [7],
  links: [8],
  mentions: [9],
};

/** The log-odds shown for a shared platform id: proof. */
const PROOF = 50;

const WEIGHTS = Float64Array.from(ACCOUNT_FEATURES, (f) => ACCOUNT_MODEL.weights[f]);

/**
 * Scores `candidate` (a suspended account) as the return of `query`; `holders` (from the index)
 * counts how many banked accounts share the query's handle keys.
 */
export function scoreAccount(q: PreparedAccount, c: PreparedAccount, holders?: HandleRarity): AccountScore {
  const { features: x, evidence } = accountFeatures(q, c, holders);
  let z = ACCOUNT_MODEL.bias;
  for (let i = 0; i < x.length; i++) z += WEIGHTS[i]! * x[i]!;
  const withStrength: Evidence[] = evidence.map((e) => {
    let contribution = 0;
    if (e.kind !== "platform-id") for (const i of EVIDENCE_FEATURES[e.kind]) contribution += WEIGHTS[i]! * x[i]!;
    return { ...e, strength: Math.round(contribution * 1000) / 1000 };
  });
  const kept = withStrength.filter((e) => e.strength > 0);
  let score = 1 / (1 + Math.exp(-z));
  // The same platform id is the same account, renamed: proof whatever else changed.
  if (q.record.id !== undefined && q.record.id === c.record.id && q.record.platform === c.record.platform) {
    kept.push({ kind: "platform-id", value: q.record.id, strength: PROOF });
    score = 1;
  }
  kept.sort((a, b) => b.strength - a.strength);
  return { score, evidence: kept };
}
