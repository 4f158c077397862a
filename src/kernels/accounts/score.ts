/**
 * Scoring one account against another for ban evasion: each kind of evidence gives a strength
 * in 0..1, and the score is their noisy-or, 1 − Π(1 − strength), so independent weak evidence
 * adds up and one strong piece suffices. The weights are set in decision 0022 and checked by
 * `npm run bench -- accounts`.
 */

import { hexToWords, wordsDistance } from "../pdq-index/words.js";
import { jaccard, textFingerprint } from "../text/index.js";
import type { AccountRecord } from "./account.js";
import { consonantKey, editDistance, handleForm, leetKey, nameSimilarity, strippedKey } from "./skeleton.js";

/** An account with the forms matching needs, computed once. */
export interface PreparedAccount {
  readonly record: AccountRecord;
  readonly form: string;
  readonly stripped: string;
  readonly leet: string;
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
  const fp = textFingerprint(record.bio ?? "");
  return {
    record,
    form,
    stripped: strippedKey(form),
    leet: leetKey(form),
    nameForm: handleForm(record.name ?? ""),
    nameConsonants: consonantKey(record.name ?? ""),
    bioNormalized: fp.normalized,
    bioShingles: fp.shingles,
    bioLong: fp.bandKeys !== null,
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
  /** 0..1: the noisy-or of the evidence strengths. */
  readonly score: number;
  /** Strongest first; only evidence with a strength above 0. */
  readonly evidence: readonly Evidence[];
}

/** Handles this short carry too little to match on their own. */
const MIN_HANDLE = 4;
/** Avatar PDQ distances up to this count as evidence. */
export const AVATAR_MAX_DISTANCE = 31;

const ramp = (x: number, from: number, to: number): number => Math.max(0, Math.min(1, (x - from) / (to - from)));

/** Kunya and nasab prefixes: "abutariq" says little more than "tariq", a common name. */
const KUNYA_RE = /^(abu|abou|ibn|bin|umm|bint|abdul|abd)+/;

/**
 * What a handle's skeleton alone is worth: a long distinctive one ("warreporter") is near-proof,
 * a kunya and a common given name ("abutariq") is shared by many people.
 */
function handleWeight(stripped: string): number {
  const distinctive = stripped.replace(KUNYA_RE, "").length;
  return distinctive >= 6 ? 1 : distinctive >= 4 ? 0.8 : 0.55;
}

function handleEvidence(q: PreparedAccount, c: PreparedAccount): Evidence | undefined {
  if (q.stripped.length < MIN_HANDLE && c.stripped.length < MIN_HANDLE) return undefined;
  const base = { kind: "handle" as const, query: q.record.handle, matched: c.record.handle };
  const w = handleWeight(c.stripped);
  if (q.form === c.form) return { ...base, variant: "same", similarity: 1, strength: 0.9 * w };
  if (q.stripped === c.stripped && q.stripped.length >= MIN_HANDLE)
    return { ...base, variant: "digits", similarity: 1, strength: 0.85 * w };
  if (q.leet === c.leet && q.leet.length >= MIN_HANDLE)
    return { ...base, variant: "look-alike", similarity: 1, strength: 0.85 * w };
  const longer = Math.max(q.leet.length, c.leet.length);
  const d = Math.min(editDistance(q.leet, c.leet, 3), editDistance(q.stripped, c.stripped, 3));
  if (d > 2) return undefined;
  const similarity = 1 - d / longer;
  // One edit in a 12-letter handle: 0.92 → strength 0.6; two edits: 0.83 → 0.35.
  const strength = 0.8 * w * ramp(similarity, 0.75, 0.92);
  return strength > 0 ? { ...base, variant: "edit", similarity, strength } : undefined;
}

function nameEvidence(q: PreparedAccount, c: PreparedAccount): Evidence | undefined {
  if (!q.record.name || !c.record.name) return undefined;
  let similarity = q.nameForm.length >= 3 ? nameSimilarity(q.nameForm, c.nameForm, 0.7) : 0;
  if (q.nameConsonants.length >= 3 && q.nameConsonants === c.nameConsonants) similarity = Math.max(similarity, 0.95);
  const strength = 0.6 * ramp(similarity, 0.7, 0.95);
  return strength > 0
    ? { kind: "name", query: q.record.name, matched: c.record.name, similarity, strength }
    : undefined;
}

/** Bio similarity: Jaccard of the shingle sets, or 1 for equal normal forms. */
export function bioSimilarity(q: PreparedAccount, c: PreparedAccount): number {
  if (q.bioNormalized.length < 8 || c.bioNormalized.length < 8) return 0;
  if (q.bioNormalized === c.bioNormalized) return 1;
  return jaccard(q.bioShingles, c.bioShingles);
}

function shared(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  if (!a || !b) return [];
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

/** Scores `candidate` (a suspended account) as the return of `query`. */
export function scoreAccount(q: PreparedAccount, c: PreparedAccount): AccountScore {
  const evidence: Evidence[] = [];
  if (q.record.id !== undefined && q.record.id === c.record.id && q.record.platform === c.record.platform)
    evidence.push({ kind: "platform-id", value: q.record.id, strength: 1 });
  const h = handleEvidence(q, c);
  if (h) evidence.push(h);
  const n = nameEvidence(q, c);
  if (n) evidence.push(n);
  const bio = bioSimilarity(q, c);
  // Bios are written, not chosen from a few words: half the shingles in common is already telling.
  const bioStrength = 0.85 * ramp(bio, 0.25, 0.6);
  if (bioStrength > 0) evidence.push({ kind: "bio", similarity: bio, strength: bioStrength });
  if (q.avatar && c.avatar) {
    const distance = wordsDistance(q.avatar, 0, c.avatar, 0);
    if (distance <= AVATAR_MAX_DISTANCE)
      evidence.push({ kind: "avatar", distance, strength: 0.9 * ramp(AVATAR_MAX_DISTANCE + 1 - distance, 0, 24) });
  }
  const links = shared(q.record.links, c.record.links);
  if (links.length > 0) evidence.push({ kind: "links", shared: links, strength: 1 - 0.5 ** links.length * 0.9 - 0.05 });
  const mentions = shared(q.record.mentions, c.record.mentions);
  if (mentions.length > 0)
    evidence.push({ kind: "mentions", shared: mentions, strength: Math.min(0.6, 0.2 * mentions.length) });
  let miss = 1;
  for (const e of evidence) miss *= 1 - e.strength;
  evidence.sort((a, b) => b.strength - a.strength);
  return { score: 1 - miss, evidence };
}
