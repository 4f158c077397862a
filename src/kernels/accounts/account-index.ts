/**
 * An in-memory index of (suspended) accounts for ban-evasion matching. A query generates
 * candidates from hashed keys — the handle's digit-free and look-alike skeletons, its prefix
 * and suffix halves (one edit leaves one of them whole), the display name's consonants, the
 * bio's MinHash bands (or its normal form when short), the platform id, shared links and
 * 16-bit slices of the avatar PDQ (a hash within distance 15 shares one of 16 slices) — then
 * scores each candidate (`score.ts`). Keys held by more than `MAX_POSTINGS` accounts are
 * skipped: they cannot tell accounts apart and would make one query slow.
 */

import { parseHash256 } from "../pdq/hash256.js";
import { minhashSignature } from "../text/index.js";
import type { AccountRecord } from "./account.js";
import { keyHash, Postings } from "./postings.js";
import { AVATAR_MAX_DISTANCE, prepareAccount, scoreAccount, type AccountScore, type PreparedAccount } from "./score.js";

/** A key held by more accounts than this is skipped at query time. */
export const MAX_POSTINGS = 256;
/** Bio LSH: bands of 2 MinHash rows; P(candidate) = 1 − (1 − J²)^12: 0.97 at J = 0.5. */
const BIO_BANDS = 12;
const BIO_ROWS = 2;

const enum Tag {
  Stripped = 1,
  Leet,
  Prefix,
  Suffix,
  Name,
  BioBand,
  BioExact,
  PlatformId,
  Link,
  Avatar,
}

export interface AccountHit extends AccountScore {
  readonly id: number;
}

interface Entry {
  readonly prepared: PreparedAccount;
  readonly avatar: Uint32Array | undefined;
  readonly keys: readonly number[];
}

function halfLength(length: number): number {
  return Math.max(4, Math.ceil(length / 2));
}

function avatarWords(hex: string | undefined): Uint32Array | undefined {
  if (!hex) return undefined;
  const bytes = parseHash256(hex);
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++)
    words[i] = ((bytes[i * 4]! << 24) | (bytes[i * 4 + 1]! << 16) | (bytes[i * 4 + 2]! << 8) | bytes[i * 4 + 3]!) >>> 0;
  return words;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function avatarDistance(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let i = 0; i < 8; i++) d += popcount((a[i]! ^ b[i]!) >>> 0);
  return d;
}

function avatarKeys(words: Uint32Array): number[] {
  const keys: number[] = [];
  for (let s = 0; s < 16; s++) {
    const slice = (words[s >> 1]! >>> ((s & 1) * 16)) & 0xffff;
    keys.push(keyHash(Tag.Avatar, String.fromCharCode(s, slice)));
  }
  return keys;
}

function bioKeys(p: PreparedAccount): number[] {
  if (p.bioNormalized.length < 8) return [];
  if (!p.bioBandKeys) return [keyHash(Tag.BioExact, p.bioNormalized)];
  const sig = minhashSignature(p.bioShingles);
  const keys: number[] = [];
  for (let b = 0; b < BIO_BANDS; b++) {
    let s = String.fromCharCode(b);
    for (let r = 0; r < BIO_ROWS; r++)
      s += String.fromCharCode(sig[b * BIO_ROWS + r]! >>> 16, sig[b * BIO_ROWS + r]! & 0xffff);
    keys.push(keyHash(Tag.BioBand, s));
  }
  return keys;
}

/** The keys an account is stored under. */
function storedKeys(p: PreparedAccount, avatar: Uint32Array | undefined): number[] {
  const keys: number[] = [];
  if (p.stripped.length >= 4) keys.push(keyHash(Tag.Stripped, p.stripped));
  if (p.leet.length >= 4) {
    keys.push(keyHash(Tag.Leet, p.leet));
    const k = halfLength(p.leet.length);
    if (p.leet.length > k) {
      keys.push(keyHash(Tag.Prefix, p.leet.slice(0, k)));
      keys.push(keyHash(Tag.Suffix, p.leet.slice(-k)));
    }
  }
  if (p.nameConsonants.length >= 4) keys.push(keyHash(Tag.Name, p.nameConsonants));
  keys.push(...bioKeys(p));
  if (p.record.id !== undefined) keys.push(keyHash(Tag.PlatformId, `${p.record.platform}\n${p.record.id}`));
  for (const l of p.record.links ?? []) keys.push(keyHash(Tag.Link, l));
  if (avatar) keys.push(...avatarKeys(avatar));
  return [...new Set(keys)];
}

/** The keys a query looks up: its stored keys plus the halves for handles one letter longer or shorter. */
function queryKeys(p: PreparedAccount, avatar: Uint32Array | undefined): { keys: number[]; avatarKeys: Set<number> } {
  const keys = storedKeys(p, avatar);
  const L = p.leet.length;
  for (const len of [L - 1, L + 1]) {
    const k = halfLength(len);
    if (len > k && L >= k) {
      keys.push(keyHash(Tag.Prefix, p.leet.slice(0, k)));
      keys.push(keyHash(Tag.Suffix, p.leet.slice(-k)));
    }
  }
  return { keys: [...new Set(keys)], avatarKeys: new Set(avatar ? avatarKeys(avatar) : []) };
}

/**
 * @example
 *   const index = new AccountIndex();
 *   index.add(1, { platform: "twitter", handle: "GunsandCoffee70", name: "GunsandCoffee" });
 *   index.query({ platform: "twitter", handle: "GunsandCoffee_71" }, 0.8)[0].id // 1
 */
export class AccountIndex {
  private readonly entries = new Map<number, Entry>();
  private readonly postings = new Postings();

  get size(): number {
    return this.entries.size;
  }

  /** Adds (or replaces) the account under `id` (a non-negative safe integer below 2³¹). */
  add(id: number, record: AccountRecord): void {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff)
      throw new RangeError(`account id must be 0..2^31-1, got ${id}`);
    this.remove(id);
    const prepared = prepareAccount(record);
    const avatar = avatarWords(record.avatarPdq);
    const keys = storedKeys(prepared, avatar);
    this.entries.set(id, { prepared, avatar, keys });
    for (const k of keys) this.postings.add(k, id);
  }

  remove(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    for (const k of e.keys) this.postings.delete(k, id);
  }

  /** The stored record of `id`. */
  get(id: number): AccountRecord | undefined {
    return this.entries.get(id)?.prepared.record;
  }

  /** Indexed accounts scoring at least `minScore` as the return of `record`, best first (ties by id). */
  query(record: AccountRecord, minScore: number): AccountHit[] {
    const q = prepareAccount(record);
    const avatar = avatarWords(record.avatarPdq);
    const { keys, avatarKeys: avatarOnly } = queryKeys(q, avatar);
    const candidates = new Set<number>();
    for (const key of keys) {
      const fromAvatar = avatarOnly.has(key);
      this.postings.forEach(key, MAX_POSTINGS, (id) => {
        if (candidates.has(id)) return;
        if (fromAvatar) {
          const other = this.entries.get(id)?.avatar;
          if (!other || !avatar || avatarDistance(avatar, other) > AVATAR_MAX_DISTANCE) return;
        }
        candidates.add(id);
      });
    }
    const hits: AccountHit[] = [];
    for (const id of candidates) {
      const e = this.entries.get(id);
      if (!e) continue;
      const s = scoreAccount(q, e.prepared);
      if (s.score >= minScore) hits.push({ id, ...s });
    }
    return hits.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
