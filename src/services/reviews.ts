/**
 * Review decisions from a fixed taxonomy — violating (with labels), not violating, escalate —
 * each with a statement of reasons, and, for a violating item, adding its hashes (or its URL
 * or text) to a bank in the same step, so confirmed items flow back into the shared banks.
 *
 * Who may add to which bank: a person whose role may write signals, to any bank their
 * organisation may change (as POST /v1/banks/:id/signals allows); a reviewer, whose role may
 * only decide, to their own organisation's banks — deciding is the curation a reviewer does.
 */

import { RasdError } from "../core/errors.js";
import { BEHAVIOURS, type Bank, type Labels, type SignalType } from "../core/model.js";
import { can } from "../core/roles.js";
import { canChangeBank } from "../core/sharing.js";
import { REVIEW_BANKED_TYPES, canonicalSignalValue, signalTypeDef } from "../signals/registry.js";
import type { ContentItem, ContentStore, ReviewItem, ReviewStore } from "../storage/ports/index.js";
import type { AccessService, Principal } from "./access.js";
import type { BankService } from "./banks.js";
import type { RawSignal } from "./signal-input.js";
import type { WellnessService } from "./wellness.js";

export const DECISIONS = ["violating", "not_violating", "escalate"] as const;

/** How long after deciding the person who decided may take the decision back (5 minutes). */
export const UNDO_WINDOW_MS = 5 * 60_000;

/** Until when `personId` may undo the entry's latest decision (ms), or undefined when they may not. */
export function undoUntil(
  r: Pick<ReviewItem, "decidedAt" | "decidedBy" | "previousStatus" | "bankId">,
  personId: number,
  now = Date.now(),
): number | undefined {
  if (r.decidedAt === null || r.decidedBy !== personId || !r.previousStatus || r.bankId !== null) return undefined;
  const until = r.decidedAt + UNDO_WINDOW_MS;
  return until > now ? until : undefined;
}
export type Decision = (typeof DECISIONS)[number];

export interface DecisionInput {
  readonly decision: Decision;
  readonly labels?: { entity?: string[]; behaviour?: string[]; language?: string[] };
  /** The statement of reasons (required). */
  readonly reasons: string;
  readonly note?: string;
  readonly addToBank?: { readonly bankId: number };
}

export interface DecisionResult {
  readonly id: number;
  /** The content item decided. */
  readonly itemId: number;
  readonly decision: Decision;
  readonly labels: Labels;
  readonly reasons: string;
  readonly decidedAt: number;
  readonly addedToBank: { bankId: number; signalIds: number[]; created: number; updated: number } | null;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const LANGUAGE = /^[a-z]{2,3}$/;

/** Checks a decision against the taxonomy; returns its labels, normalised. */
function checkDecision(input: DecisionInput): Labels {
  const entity = [...new Set((input.labels?.entity ?? []).map((e) => e.trim().toLowerCase()))];
  const behaviour = [...new Set(input.labels?.behaviour ?? [])];
  const language = [...new Set((input.labels?.language ?? []).map((l) => l.trim().toLowerCase()))];
  for (const e of entity) if (!SLUG.test(e)) throw new RasdError("invalid", `labels.entity: "${e}" is not a slug`);
  for (const b of behaviour)
    if (!(BEHAVIOURS as readonly string[]).includes(b))
      throw new RasdError("invalid", `labels.behaviour: "${b}" is not one of ${BEHAVIOURS.join(", ")}`);
  for (const l of language)
    if (!LANGUAGE.test(l)) throw new RasdError("invalid", `labels.language: "${l}" is not an ISO 639 code`);
  if (input.reasons.trim().length === 0) throw new RasdError("invalid", "reasons: a statement of reasons is required");
  if (input.decision === "violating") {
    if (entity.length === 0 && behaviour.length === 0)
      throw new RasdError("invalid", "labels: a violating decision needs at least one entity or behaviour label");
  } else {
    if (entity.length || behaviour.length || language.length)
      throw new RasdError("invalid", `labels: only a violating decision carries labels, not ${input.decision}`);
    if (input.addToBank) throw new RasdError("invalid", "addToBank: only a violating item can be added to a bank");
  }
  return { entity, behaviour: behaviour as Labels["behaviour"], language };
}

/** A signal taken from a reviewed item: its type is known, unlike a raw signal's. */
type ItemSignal = RawSignal & { readonly type: SignalType; readonly value: string };

/** The signals an item contributes to a bank: its hashes, its canonical URL, or its text. */
function itemSignals(item: ContentItem, labels: Labels, source: string): ItemSignal[] {
  const hashes = ((): Record<string, unknown> => {
    try {
      return JSON.parse(item.hashes) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  // A text is banked as submitted; a URL as canonicalised when hashed (as submitted before).
  const values: Record<string, unknown> = { url: item.url, ...hashes, text: item.text };
  const out: ItemSignal[] = [];
  for (const type of REVIEW_BANKED_TYPES[item.kind]) {
    const value = values[type];
    const quality = signalTypeDef(type).hasQuality ? hashes[`${type}_quality`] : undefined;
    if (typeof value === "string" && value !== "")
      out.push({ type, value, labels, source, ...(typeof quality === "number" ? { quality } : {}) });
  }
  return out;
}

/** The review entry `reviewId` if it is the caller's organisation's; otherwise "not_found". */
export async function ownReview(reviews: ReviewStore, orgId: number, reviewId: number) {
  const row = Number.isNaN(reviewId) ? undefined : await reviews.getReview(reviewId);
  if (!row || row.orgId !== orgId) throw new RasdError("not_found", "no such review entry");
  return row;
}

/** How long a reviewer holds an entry they opened before another reviewer is offered it. */
export const REVIEW_LEASE_MS = 10 * 60_000;

/** Who decides an escalated entry: the second-level queue is for admins (senior reviewers). */
export function maySeeEscalated(role: string): boolean {
  return role === "admin";
}

/** The refusal when another person holds a live lease on the entry. */
function leasedElsewhere(
  row: { id: number; claimedBy: number | null; claimedUntil: number | null },
  who: Principal,
  now: number,
) {
  if (row.claimedBy !== null && row.claimedBy !== who.personId && (row.claimedUntil ?? 0) >= now)
    return new RasdError(
      "conflict",
      `review entry ${row.id} is claimed by another reviewer until ${new Date(row.claimedUntil!).toISOString()}`,
    );
  return undefined;
}

export class ReviewService {
  constructor(
    private readonly deps: {
      content: ContentStore;
      reviews: ReviewStore;
      banks: BankService;
      access: AccessService;
      /** When given, opening an entry counts as an exposure and the daily limit holds (decision 0028). */
      wellness?: WellnessService;
    },
  ) {}

  /** The bank a decision may add to, or an error: 404 if invisible, 403 if not the caller's to change. */
  async bankFor(who: Principal, bankId: number): Promise<Bank> {
    const bank = await this.deps.access.requireVisibleBank(who, bankId);
    const mayCurate =
      can(who.role, "signal.write") && canChangeBank(who, bank, await this.deps.access.sharingOf(bank.id));
    const ownAsReviewer = can(who.role, "review.decide") && bank.orgId === who.orgId;
    if (!mayCurate && !ownAsReviewer)
      throw new RasdError(
        "auth.forbidden",
        `bank ${bank.id} belongs to another organisation; a decision cannot add to it`,
      );
    if (bank.negative)
      throw new RasdError("invalid", `addToBank: bank ${bank.id} is an allow-list; a violating item cannot go there`);
    return bank;
  }

  async decide(who: Principal, reviewId: number, input: DecisionInput): Promise<DecisionResult> {
    const { content, reviews } = this.deps;
    const row = await ownReview(reviews, who.orgId, reviewId);
    if (row.status === "decided")
      throw new RasdError("conflict", `review entry ${row.id} was already decided (${row.decision ?? "?"})`);
    if (row.status === "escalated" && !maySeeEscalated(who.role))
      throw new RasdError(
        "auth.forbidden",
        `review entry ${row.id} is escalated: an admin (senior reviewer) decides it`,
      );
    if (row.status === "escalated" && input.decision === "escalate")
      throw new RasdError("conflict", `review entry ${row.id} is escalated already: decide it`);
    const busy = leasedElsewhere(row, who, Date.now());
    if (busy) throw busy;
    const labels = checkDecision(input);
    const bank = input.addToBank ? await this.bankFor(who, input.addToBank.bankId) : undefined;
    const item = await content.getItem(row.itemId);
    if (!item) throw new RasdError("not_found", "the review entry's item is gone");
    const signals = bank ? itemSignals(item, labels, `review:${row.id}`) : [];
    if (bank && signals.length === 0)
      throw new RasdError("invalid", `addToBank: item ${item.id} has no hashes yet (status ${item.status})`);
    const now = Date.now();
    // Claim the entry first: of two reviewers deciding at once, one wins and the other gets a 409.
    const from = row.status === "escalated" ? "escalated" : "open";
    const claimed = await reviews.claimReview(
      row.id,
      {
        decision: input.decision,
        note: input.note ?? "",
        labels: JSON.stringify(labels),
        reasons: input.reasons.trim(),
        bankId: bank?.id ?? null,
        decidedBy: who.personId,
        decidedAt: now,
      },
      from,
    );
    if (!claimed) throw new RasdError("conflict", `review entry ${row.id} was decided by someone else just now`);
    let addedToBank: DecisionResult["addedToBank"] = null;
    if (bank) {
      const report = await this.deps.banks.addSignals(
        bank.id,
        signals.map((raw, i) => ({ line: i, raw })),
      );
      if (report.rejected.length) throw new RasdError("invalid", `addToBank: ${report.rejected[0]!.message}`);
      const found = await Promise.all(
        signals.map(async (s) => {
          const value = canonicalSignalValue(s.type, s.value).value;
          return (await this.deps.banks.store.findSignals(s.type, value)).filter((x) => x.bankId === bank.id);
        }),
      );
      const signalIds = [...new Set(found.flat().map((x) => x.id))];
      await reviews.setAddedSignals(row.id, signalIds);
      addedToBank = {
        bankId: bank.id,
        signalIds,
        created: report.created + report.reactivated,
        updated: report.updated,
      };
    }
    return {
      id: row.id,
      itemId: row.itemId,
      decision: input.decision,
      labels,
      reasons: input.reasons.trim(),
      decidedAt: now,
      addedToBank,
    };
  }

  /**
   * Leases the entry to the caller for REVIEW_LEASE_MS, so that it is not offered to another
   * reviewer; renewing their own lease is allowed. Conflict when someone else holds it.
   */
  async claim(who: Principal, reviewId: number, now = Date.now()): Promise<{ id: number; claimedUntil: number }> {
    const row = await ownReview(this.deps.reviews, who.orgId, reviewId);
    if (row.status === "decided") throw new RasdError("conflict", `review entry ${row.id} was already decided`);
    if (row.status === "escalated" && !maySeeEscalated(who.role))
      throw new RasdError(
        "auth.forbidden",
        `review entry ${row.id} is escalated: an admin (senior reviewer) decides it`,
      );
    // Already held by another reviewer: say so before counting it against the daily limit.
    const heldElsewhere = leasedElsewhere(row, who, now);
    if (heldElsewhere) throw heldElsewhere;
    await this.deps.wellness?.admit(who.personId, who.orgId, row.id, now);
    const until = now + REVIEW_LEASE_MS;
    if (!(await this.deps.reviews.leaseReview(row.id, who.personId, now, until))) {
      const fresh = (await this.deps.reviews.getReview(row.id)) ?? row;
      throw (
        leasedElsewhere(fresh, who, now) ?? new RasdError("conflict", `review entry ${row.id} was decided just now`)
      );
    }
    return { id: row.id, claimedUntil: until };
  }

  /** Gives the entry back to the queue (only the lease holder's release does anything). */
  async release(who: Principal, reviewId: number): Promise<void> {
    const row = await ownReview(this.deps.reviews, who.orgId, reviewId);
    await this.deps.reviews.releaseReview(row.id, who.personId);
  }

  /**
   * Takes back the caller's own latest decision on an entry within UNDO_WINDOW_MS of making it:
   * the entry returns to the queue it was in (open, or escalated), leased to the caller so that
   * they can decide again. A decision that added signals to a bank is not undone here (the
   * signals may already have matched and been shared): remove them from the bank instead.
   */
  async undo(
    who: Principal,
    reviewId: number,
    now = Date.now(),
  ): Promise<{ id: number; status: "open" | "escalated" }> {
    const row = await ownReview(this.deps.reviews, who.orgId, reviewId);
    if (row.decidedAt === null || row.decidedBy === null || !row.previousStatus)
      throw new RasdError("conflict", `review entry ${row.id} has no decision to undo`);
    if (row.decidedBy !== who.personId)
      throw new RasdError("conflict", `review entry ${row.id} was decided by someone else: only they may undo it`);
    if (row.decidedAt < now - UNDO_WINDOW_MS)
      throw new RasdError(
        "conflict",
        `review entry ${row.id} was decided more than ${UNDO_WINDOW_MS / 60_000} minutes ago: it can no longer be undone`,
      );
    const added = JSON.parse(row.addedSignals || "[]") as number[];
    if (row.bankId !== null || added.length > 0)
      throw new RasdError(
        "conflict",
        `review entry ${row.id}'s decision added ${added.length} signal(s) to bank ${row.bankId ?? "?"}: ` +
          "remove them from the bank instead of undoing",
      );
    const busy = leasedElsewhere(row, who, now);
    if (busy) throw busy;
    const ok = await this.deps.reviews.undoDecision(row.id, {
      personId: who.personId,
      now,
      to: row.previousStatus,
      decidedSince: now - UNDO_WINDOW_MS,
      claimUntil: now + REVIEW_LEASE_MS,
    });
    if (!ok) throw new RasdError("conflict", `review entry ${row.id} changed just now: its decision was not undone`);
    return { id: row.id, status: row.previousStatus };
  }
}
