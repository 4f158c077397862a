/**
 * Checking the audit log's hash chains (core/audit-chain.ts): every entry of each chain is
 * read in order, a page at a time, and its links recomputed; the first link that does not
 * hold is reported with the entry it is at. An organisation's admin checks its own chain;
 * the coalition's operator checks them all.
 */

import { checkHead, checkLinks, GENESIS_HASH, type BrokenLink } from "../core/audit-chain.js";
import type { AccessStore } from "../storage/ports/access.js";

const PAGE = 1000;

export interface ChainCheck {
  /** The chain: an organisation's id, 0 for entries of no organisation. */
  readonly chain: number;
  /** Entries checked (up to the first broken link). */
  readonly entries: number;
  /** The chain's last hash as checked: write it down elsewhere to detect a rewrite of the whole chain. */
  readonly head: string;
  readonly broken?: BrokenLink;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly chains: readonly ChainCheck[];
}

/** Checks the chains `only` (default: every chain that has a head). */
export async function verifyAudit(store: AccessStore, only?: readonly number[]): Promise<AuditVerification> {
  const heads = new Map((await store.auditChainHeads()).map((h) => [h.chain, h]));
  const chains = only ?? [...heads.keys()];
  const checks: ChainCheck[] = [];
  for (const chain of chains) {
    const state = { seq: 0, hash: GENESIS_HASH };
    let broken: BrokenLink | undefined;
    for (;;) {
      const page = await store.auditChain(chain, state.seq, PAGE);
      broken = checkLinks(page, state);
      if (broken || page.length < PAGE) break;
    }
    broken ??= checkHead(heads.get(chain), chain, state);
    checks.push({ chain, entries: state.seq, head: state.hash, ...(broken ? { broken } : {}) });
  }
  return { ok: checks.every((c) => !c.broken), chains: checks };
}
