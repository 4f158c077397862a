/**
 * An in-memory index of (suspended) accounts for ban-evasion matching, by blocking: a query
 * gathers candidates from inverted indexes, lets each shared key vote for the accounts holding it,
 * and scores only the best-voted few (`score.ts`). The keys (32-bit hashes in one typed-array
 * multimap, `postings.ts`): the handle's digit-free and look-alike skeletons (lower case,
 * homoglyphs folded, Arabic transliterated, digits and separators dropped), the skeleton's prefix
 * and suffix halves (one edit leaves one of them whole), the display name's consonant skeleton
 * (Arabic and Latin spellings meet), the bio's MinHash bands (or its normal form when short), the
 * platform id, each link and each mentioned account. Avatars are found in rasd's PDQ index
 * (`kernels/pdq-index`, exact within distance 15). A key held by more accounts than its kind's cap
 * is skipped: it tells nobody apart and would make one query slow. Adds and removals are
 * incremental; removed postings are reclaimed when they outnumber the live ones.
 */

import { PdqIndex } from "../pdq-index/index.js";
import type { AccountRecord } from "./account.js";
import { keyHash, Postings } from "./postings.js";
import { prepareAccount, scoreAccount, type AccountScore, type HandleRarity, type PreparedAccount } from "./score.js";
import { sortedKey } from "./skeleton.js";

/** A key held by more accounts than this is skipped at query time (a weak kind's cap is lower: `CAP`). */
export const MAX_POSTINGS = 256;
/** At most this many candidates, the best-voted, are scored in full. */
export const MAX_CANDIDATES = 16;
/** Bio LSH: bands of 2 MinHash rows; P(candidate) = 1 − (1 − J²)^12: 0.97 at J = 0.5. */
const BIO_BANDS = 12;
const BIO_ROWS = 2;

const enum Tag {
  Form = 0,
  Stripped,
  Leet,
  Prefix,
  Suffix,
  Name,
  BioBand,
  BioExact,
  PlatformId,
  Link,
  Mention,
  Lookalike,
  Sorted,
  NameForm,
}

export interface AccountHit extends AccountScore {
  readonly id: number;
}

interface Entry {
  readonly prepared: PreparedAccount;
  readonly keys: Uint32Array;
}

function halfLength(length: number): number {
  return Math.max(4, Math.ceil(length / 2));
}

/** Seeds of the bio's MinHash rows (only the rows the bands use are computed). */
const BIO_SEEDS = Uint32Array.from({ length: BIO_BANDS * BIO_ROWS }, (_, k) => Math.imul(k + 1, 0x9e3779b1) >>> 0);
const bioSignature = new Uint32Array(BIO_BANDS * BIO_ROWS);

/**
 * The bio's keys: its MinHash bands, and its normal form too when short (under `MIN_SHINGLES`
 * shingles). A short bio gets bands as well (decision 0040): one word added to
 * "ENGLISH TRANSLATIONS" changes its normal form but leaves most bands; a band many accounts
 * share is skipped by its cap.
 */
function bioKeys(p: PreparedAccount): WeightedKey[] {
  if (p.bioNormalized.length < 8) return [];
  const keys: WeightedKey[] = [];
  if (!p.bioLong)
    keys.push({ key: keyHash(Tag.BioExact, p.bioNormalized), weight: VOTE[Tag.BioExact], cap: CAP[Tag.BioExact] });
  const sig = bioSignature.fill(0xffffffff);
  const shingles = p.bioShingles;
  for (let s = 0; s < shingles.length; s++) {
    const x = shingles[s]!;
    for (let k = 0; k < sig.length; k++) {
      let h = x ^ BIO_SEEDS[k]!;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h = (h ^ (h >>> 16)) >>> 0;
      if (h < sig[k]!) sig[k] = h;
    }
  }
  for (let b = 0; b < BIO_BANDS; b++) {
    let h = Math.imul(b + 1, 0x27d4eb2d);
    for (let r = 0; r < BIO_ROWS; r++) h = Math.imul(h ^ sig[b * BIO_ROWS + r]!, 0x01000193) ^ (h >>> 15);
    const key = keyHash(Tag.BioBand, String.fromCharCode(h >>> 16, h & 0xffff));
    keys.push({ key, weight: VOTE[Tag.BioBand], cap: CAP[Tag.BioBand] });
  }
  return keys;
}

/** A key with what sharing it says: the candidate vote it casts (before its rarity is counted). */
interface WeightedKey {
  readonly key: number;
  readonly weight: number;
  readonly cap: number;
}

/**
 * How much sharing one key of each kind says, as a vote for a candidate. A candidate's votes add
 * up (each divided by the key's rarity factor, below) and only the best-voted `MAX_CANDIDATES`
 * are scored in full. The order matters, not the values: a shared platform id or handle skeleton
 * outvotes a shared bio band, of which a near-duplicate bio shares many.
 */
const VOTE: Readonly<Record<Tag, number>> = {
  [Tag.Form]: 4,
  [Tag.Stripped]: 4,
  [Tag.Leet]: 4,
  [Tag.Prefix]: 2,
  [Tag.Suffix]: 2,
  [Tag.Name]: 2,
  [Tag.BioBand]: 1,
  [Tag.BioExact]: 4,
  [Tag.PlatformId]: 100,
  [Tag.Link]: 3,
  [Tag.Mention]: 1,
  [Tag.Lookalike]: 4,
  [Tag.Sorted]: 2,
  [Tag.NameForm]: 2,
};
/** An avatar near the query's (found exactly by the PDQ index). */
const AVATAR_VOTE = 6;
/**
 * Avatars within this distance make candidates. The PDQ index answers distance 15 with exact
 * probes of its 16 chunks (a hash within 15 bits agrees on one chunk), where 31 costs it about
 * 0.5 ms at a million hashes; a re-uploaded avatar is usually within 10. Evidence still counts up
 * to distance 31 for candidates found by other keys.
 */
export const AVATAR_CANDIDATE_DISTANCE = 15;

/** Keys of weak kinds are skipped sooner: a name or bio band 64 accounts share says little. */
const CAP: Readonly<Record<Tag, number>> = {
  [Tag.Form]: MAX_POSTINGS,
  [Tag.Stripped]: MAX_POSTINGS,
  [Tag.Leet]: MAX_POSTINGS,
  [Tag.Prefix]: 64,
  [Tag.Suffix]: 64,
  [Tag.Name]: 64,
  [Tag.BioBand]: 64,
  [Tag.BioExact]: MAX_POSTINGS,
  [Tag.PlatformId]: MAX_POSTINGS,
  [Tag.Link]: MAX_POSTINGS,
  [Tag.Mention]: 64,
  [Tag.Lookalike]: MAX_POSTINGS,
  [Tag.Sorted]: 64,
  [Tag.NameForm]: 64,
};

/** The keys an account is stored under, each with its vote and cap. */
function storedKeys(p: PreparedAccount): WeightedKey[] {
  const keys: WeightedKey[] = [];
  const push = (tag: Tag, s: string) => keys.push({ key: keyHash(tag, s), weight: VOTE[tag], cap: CAP[tag] });
  // The whole form too: a handle of digits and a few letters ("06230550_IS") has no skeleton.
  if (p.form.length >= 6 && p.stripped.length < 4) push(Tag.Form, p.form);
  if (p.stripped.length >= 4) push(Tag.Stripped, p.stripped);
  if (p.leet.length >= 4) {
    push(Tag.Leet, p.leet);
    const k = halfLength(p.leet.length);
    if (p.leet.length > k) {
      push(Tag.Prefix, p.leet.slice(0, k));
      push(Tag.Suffix, p.leet.slice(-k));
    }
  }
  // Every digit read as a letter: look-alike digits next to the handle's own digits.
  if (p.lookalike.length >= 4) push(Tag.Lookalike, p.lookalike);
  // Two letters swapped leave the sorted letters alone (and break both halves of a short handle).
  if (p.leet.length >= 5) push(Tag.Sorted, sortedKey(p.leet));
  if (p.nameConsonants.length >= 4) push(Tag.Name, p.nameConsonants);
  // The whole display name: a short skeleton ("Umm Ammarah" → "mrh") still names someone.
  if (p.nameForm.length >= 5) push(Tag.NameForm, p.nameForm);
  keys.push(...bioKeys(p));
  if (p.record.id !== undefined) push(Tag.PlatformId, `${p.record.platform}\n${p.record.id}`);
  for (const l of p.record.links ?? []) push(Tag.Link, l);
  for (const m of p.record.mentions ?? []) push(Tag.Mention, m);
  const seen = new Set<number>();
  return keys.filter((k) => !seen.has(k.key) && seen.add(k.key));
}

/** The keys a query looks up: its stored keys plus the halves for handles one letter longer or shorter. */
function queryKeys(p: PreparedAccount): WeightedKey[] {
  const keys = storedKeys(p);
  const L = p.leet.length;
  for (const len of [L - 1, L + 1]) {
    const k = halfLength(len);
    if (len > k && L >= k) {
      keys.push({ key: keyHash(Tag.Prefix, p.leet.slice(0, k)), weight: VOTE[Tag.Prefix], cap: CAP[Tag.Prefix] });
      keys.push({ key: keyHash(Tag.Suffix, p.leet.slice(-k)), weight: VOTE[Tag.Suffix], cap: CAP[Tag.Suffix] });
    }
  }
  const seen = new Set<number>();
  return keys.filter((k) => !seen.has(k.key) && seen.add(k.key));
}

/** The `k` ids of highest vote (ties: lower id first), in no particular order. */
function topVoted(votes: Map<number, number>, k: number): number[] {
  if (votes.size <= k) return [...votes.keys()];
  const sorted = Float64Array.from(votes.values()).sort();
  const bar = sorted[sorted.length - k]!;
  const above: number[] = [];
  const at: number[] = [];
  for (const [id, v] of votes)
    if (v > bar) above.push(id);
    else if (v === bar) at.push(id);
  at.sort((a, b) => a - b);
  return above.concat(at.slice(0, k - above.length));
}

/**
 * @example
 *   const index = new AccountIndex();
 *   index.add(1, { platform: "twitter", handle: "GunsandCoffee70", name: "GunsandCoffee" });
 *   index.query({ platform: "twitter", handle: "GunsandCoffee_71" }, 0.8)[0].id // 1
 */
export class AccountIndex {
  private readonly entries = new Map<number, Entry>();
  private postings = new Postings();
  private readonly avatars = new PdqIndex();

  get size(): number {
    return this.entries.size;
  }

  /** Adds (or replaces) the account under `id` (a non-negative safe integer below 2³¹). */
  add(id: number, record: AccountRecord): void {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff)
      throw new RangeError(`account id must be 0..2^31-1, got ${id}`);
    this.remove(id);
    const prepared = prepareAccount(record);
    const keys = Uint32Array.from(storedKeys(prepared), (k) => k.key);
    this.entries.set(id, { prepared, keys });
    for (const k of keys) this.postings.add(k, id);
    if (prepared.avatar) this.avatars.add(prepared.avatar, 0, id, 0);
  }

  remove(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    for (const k of e.keys) this.postings.delete(k, id);
    if (e.prepared.avatar) this.avatars.remove(e.prepared.avatar, 0, id);
    if (this.postings.dead > 1024 && this.postings.dead > this.postings.length / 2) this.rebuildPostings();
  }

  /** The stored record of `id`. */
  get(id: number): AccountRecord | undefined {
    return this.entries.get(id)?.prepared.record;
  }

  /** Finishes the avatar index's pending builds (after a bulk load). */
  flush(): void {
    this.avatars.flush();
  }

  /** Background work on the avatar index for about `budgetMs`; returns whether work remains. */
  maintain(budgetMs = 5): boolean {
    const start = performance.now();
    while (this.avatars.step(1)) if (performance.now() - start >= budgetMs) return true;
    return false;
  }

  private rebuildPostings(): void {
    const postings = new Postings(this.postings.length - this.postings.dead);
    for (const [id, e] of this.entries) for (const k of e.keys) postings.add(k, id);
    this.postings = postings;
  }

  /**
   * Indexed accounts scoring at least `minScore` as the return of `record`, best first (ties by
   * id). Candidates are the accounts sharing a key with it or an avatar within distance 15; each
   * shared key votes for its holders (its kind's vote divided by 1 + log2 of how many accounts hold
   * it, so a rare key says more) and only the `maxCandidates` best-voted are scored. With
   * `accept`, only the accounts it accepts (those of banks the caller may see) are candidates or
   * counted as holders: neither the candidates nor the score depend on banks the caller may not
   * see.
   */
  query(
    record: AccountRecord,
    minScore: number,
    maxCandidates = MAX_CANDIDATES,
    accept?: (id: number) => boolean,
  ): AccountHit[] {
    const q = prepareAccount(record);
    const hits: AccountHit[] = [];
    const holders = this.holders(q, accept);
    for (const id of this.candidates(q, maxCandidates, accept)) {
      const e = this.entries.get(id);
      if (!e) continue;
      const s = scoreAccount(q, e.prepared, holders);
      if (s.score >= minScore) hits.push({ id, score: s.score, evidence: s.evidence });
    }
    return hits.sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /**
   * How many indexed accounts hold each of the query's handle keys (counted up to `MAX_POSTINGS` + 1;
   * 0 for a key too short to be stored): the rarity the score weighs a shared skeleton by.
   */
  holders(q: PreparedAccount, accept?: (id: number) => boolean): HandleRarity {
    const count = (tag: Tag, s: string, min: number): number => {
      if (s.length < min) return 0;
      if (!accept) return this.postings.holders(keyHash(tag, s), MAX_POSTINGS);
      let n = 0;
      const all = this.postings.forEach(keyHash(tag, s), MAX_POSTINGS, (id) => accept(id) && n++);
      return all < 0 ? MAX_POSTINGS + 1 : n;
    };
    const stripped = count(Tag.Stripped, q.stripped, 4);
    return {
      form: q.stripped.length >= 4 ? stripped : count(Tag.Form, q.form, 6),
      stripped,
      leet: count(Tag.Leet, q.leet, 4),
      lookalike: count(Tag.Lookalike, q.lookalike, 4),
    };
  }

  /** The ids of the `maxCandidates` best-voted candidates for a prepared query (see `query`). */
  candidates(q: PreparedAccount, maxCandidates = MAX_CANDIDATES, accept?: (id: number) => boolean): number[] {
    const votes = new Map<number, number>();
    const held: number[] = [];
    const vote = (ids: readonly number[], weight: number) => {
      const v = weight / (1 + Math.log2(ids.length));
      for (const id of ids) votes.set(id, (votes.get(id) ?? 0) + v);
    };
    const hold = accept ? (id: number) => accept(id) && held.push(id) : (id: number) => held.push(id);
    for (const { key, weight, cap } of queryKeys(q)) {
      held.length = 0;
      if (this.postings.forEach(key, cap, hold) > 0 && held.length > 0) vote(held, weight);
    }
    if (q.avatar) {
      let near = this.avatars.search(q.avatar, 0, AVATAR_CANDIDATE_DISTANCE).map((m) => m.key);
      if (accept) near = near.filter(accept);
      if (near.length > 0) vote(near, AVATAR_VOTE);
    }
    return topVoted(votes, maxCandidates);
  }

  /** The prepared form of an indexed account (for the bench's training pairs). */
  prepared(id: number): PreparedAccount | undefined {
    return this.entries.get(id)?.prepared;
  }
}
