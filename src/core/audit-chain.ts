/**
 * The audit log as hash chains: each entry stores the SHA-256 of its own fields and of the
 * entry before it, so changing, removing or reordering an entry breaks every link after it.
 *
 * One chain per organisation (its entries are the ones its admins read and verify), and one
 * for entries of no organisation (chain 0: refused requests from unknown callers, CLI work
 * without one). Entries are numbered 1, 2, … in their chain; a chain's head (its last number
 * and hash) is kept beside it, so cutting entries off the end shows too. What a chain cannot
 * show is its whole rewriting by someone who can write the database and recompute every hash:
 * for that, record the heads `rasd audit verify` prints somewhere the database's writers
 * cannot reach (docs/security.md).
 */

import { createHash } from "node:crypto";

/** The hash before a chain's first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** The chain of an entry of organisation `orgId` (null: no organisation's). */
export function chainOf(orgId: number | null): number {
  return orgId ?? 0;
}

/** An entry's fields as stored: `detail` is its stored JSON text, hashed as it is. */
export interface ChainedFields {
  readonly chain: number;
  readonly seq: number;
  readonly at: number;
  readonly orgId: number | null;
  readonly personId: number | null;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly detail: string;
  readonly source: string;
}

/**
 * SHA-256 (hex) of the previous entry's hash and this entry's fields, encoded canonically as a
 * JSON array in a fixed order (strings, integers and nulls only: one encoding per entry).
 */
export function auditHash(prevHash: string, f: ChainedFields): string {
  const canonical = JSON.stringify([
    "rasd-audit-1",
    prevHash,
    f.chain,
    f.seq,
    f.at,
    f.orgId,
    f.personId,
    f.actor,
    f.action,
    f.target,
    f.detail,
    f.source,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** A stored entry with its place in its chain. */
export interface ChainedEntry extends ChainedFields {
  readonly id: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** A chain's last entry, as its head records it. */
export interface ChainHead {
  readonly chain: number;
  readonly seq: number;
  readonly hash: string;
}

/** The first link that does not hold. */
export interface BrokenLink {
  readonly chain: number;
  /** The entry where the chain breaks (null: entries are missing from its end). */
  readonly id: number | null;
  readonly seq: number;
  readonly reason: string;
}

/**
 * Checks a chain's entries, in order of `seq`, one page at a time: `state` carries the last
 * good link from page to page. Returns the first broken link, or undefined.
 */
export function checkLinks(
  entries: readonly ChainedEntry[],
  state: { seq: number; hash: string },
): BrokenLink | undefined {
  for (const e of entries) {
    const expectedSeq = state.seq + 1;
    if (e.seq !== expectedSeq)
      return {
        chain: e.chain,
        id: e.id,
        seq: e.seq,
        reason: `entry ${e.id} is number ${e.seq} of its chain, but number ${expectedSeq} was expected: entries before it were removed or renumbered`,
      };
    if (e.prevHash !== state.hash)
      return {
        chain: e.chain,
        id: e.id,
        seq: e.seq,
        reason: `entry ${e.id} does not follow the entry before it (its previous hash differs): an entry before it was changed or removed`,
      };
    if (auditHash(e.prevHash, e) !== e.hash)
      return {
        chain: e.chain,
        id: e.id,
        seq: e.seq,
        reason: `entry ${e.id} was changed after it was written (its fields do not match its hash)`,
      };
    state.seq = e.seq;
    state.hash = e.hash;
  }
  return undefined;
}

/** Checks that the chain ends where its head says (entries cut off the end show here). */
export function checkHead(
  head: ChainHead | undefined,
  chain: number,
  state: { seq: number; hash: string },
): BrokenLink | undefined {
  const seq = head?.seq ?? 0;
  const hash = head?.hash ?? GENESIS_HASH;
  if (seq === state.seq && hash === state.hash) return undefined;
  return {
    chain,
    id: null,
    seq: state.seq,
    reason:
      seq > state.seq
        ? `the chain ends at entry number ${state.seq} but its head says ${seq}: entries were removed from its end`
        : `the chain's head (number ${seq}) does not match its last entry (number ${state.seq}): the head or the last entry was changed`,
  };
}
