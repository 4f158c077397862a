/**
 * The review side of the web app: one review entry with what a reviewer needs beside it
 * (the item, the matched signals with their banks, distance and labels), the item's media
 * for review, and the decision — a fixed taxonomy with a statement of reasons, optionally
 * adding the item's hashes to a bank in the same step (services/reviews.ts).
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { BEHAVIOURS } from "../../core/model.js";
import type { Principal } from "../../services/access.js";
import type { StoredMatch } from "../../services/pipeline.js";
import { DECISIONS, ReviewService, UNDO_WINDOW_MS, ownReview, undoUntil } from "../../services/reviews.js";
import { WellnessService } from "../../services/wellness.js";
import type { Services } from "../../server/services.js";
import type { ReviewItem } from "../../storage/ports/index.js";
import { idParam, route, type RouteDef } from "../route.js";
import { NoContent, StringEnum } from "../schemas/common.js";
import { DecisionView, MediaResponse, ReviewDetailView, type ReviewView } from "../schemas/reviews.js";
import { contentView, iso, signalView } from "../views.js";
import { auditEntry } from "./members.js";

type ReviewRow = ReviewItem;

function ownReviewRow(s: Services, who: Principal, id: number): Promise<ReviewItem> {
  return ownReview(s.reviews, who.orgId, id);
}

function parse<T>(text: string | null | undefined, fallback: T): T {
  try {
    return text ? (JSON.parse(text) as T) : fallback;
  } catch {
    return fallback;
  }
}

function reviewView(r: ReviewRow): ReviewView {
  return {
    id: r.id,
    item_id: r.itemId,
    action_id: r.actionId,
    status: r.status,
    priority: r.priority,
    reason: r.reason ?? "match",
    decision: r.decision,
    labels: parse(r.labels, {}),
    reasons: r.reasons,
    note: r.note,
    added_to_bank: r.bankId === null ? null : { bank_id: r.bankId, signal_ids: parse<number[]>(r.addedSignals, []) },
    claimed_by: r.claimedUntil !== null && r.claimedUntil >= Date.now() ? r.claimedBy : null,
    claimed_until: r.claimedUntil !== null && r.claimedUntil >= Date.now() ? iso(r.claimedUntil) : null,
    decided_by: r.decidedBy,
    created_at: iso(r.createdAt),
    decided_at: iso(r.decidedAt),
  };
}

/** `undo_until` for the caller, when they may undo the entry's decision. */
export function undoField(r: ReviewRow, personId: number): { undo_until?: string } {
  const until = undoUntil(r, personId);
  return until === undefined ? {} : { undo_until: new Date(until).toISOString() };
}

/** Media types a browser may render inline for review; anything else is served as bytes. */
const INLINE_MEDIA = /^(image\/(jpeg|png|gif|webp|bmp|tiff)|video\/(mp4|webm|ogg|quicktime|x-matroska))$/;

const labelsSchema = Type.Object(
  {
    entity: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 })),
    behaviour: Type.Optional(Type.Array(StringEnum(BEHAVIOURS), { maxItems: 20 })),
    language: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 3 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export function decisionRoute(s: Services): RouteDef {
  const reviews = new ReviewService({ content: s.content, reviews: s.reviews, banks: s.banks, access: s.access });
  return route({
    method: "POST",
    url: "/v1/reviews/:id/decision",
    access: "review.decide",
    summary:
      "Decide a review entry: violating (with labels), not_violating or escalate, with a statement of reasons; " +
      "addToBank adds a violating item's hashes (or URL, or text) to a bank in the same step",
    tags: ["review"],
    schema: {
      body: Type.Object(
        {
          decision: StringEnum(DECISIONS),
          labels: Type.Optional(labelsSchema),
          reasons: Type.String({ minLength: 1, maxLength: 5000 }),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
          addToBank: Type.Optional(
            Type.Object({ bankId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
          ),
        },
        { additionalProperties: false },
      ),
      response: { 200: DecisionView },
    },
    handler: async (req, _reply, who) => {
      const body = req.body;
      const result = await reviews.decide(who, idParam(req), body);
      // The crisis protocol: a member's decision on an incident match is its action (docs/crisis.md).
      if (result.decision === "violating") await s.incidents.reviewed(result.itemId, who.orgId, result.decidedAt);
      await s.access.audit(
        auditEntry(req, who, "review.decide", `review:${result.id}`, {
          decision: result.decision,
          labels: result.labels,
          ...(result.addedToBank ? { bank: result.addedToBank.bankId, signals: result.addedToBank.signalIds } : {}),
        }),
      );
      if (result.addedToBank)
        await s.access.audit(
          auditEntry(req, who, "signal.add", `bank:${result.addedToBank.bankId}`, {
            review: result.id,
            created: result.addedToBank.created,
            updated: result.addedToBank.updated,
          }),
        );
      return {
        id: result.id,
        status: result.decision === "escalate" ? ("escalated" as const) : ("decided" as const),
        decision: result.decision,
        labels: result.labels,
        reasons: result.reasons,
        decided_at: iso(result.decidedAt),
        ...(result.addedToBank ? {} : { undo_until: new Date(result.decidedAt + UNDO_WINDOW_MS).toISOString() }),
        added_to_bank: result.addedToBank && {
          bank_id: result.addedToBank.bankId,
          signal_ids: result.addedToBank.signalIds,
          created: result.addedToBank.created,
          updated: result.addedToBank.updated,
        },
      };
    },
  });
}

export function reviewRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/reviews/:id",
      access: "review.read",
      summary: "One review entry with its item and the matched signals (only those of banks the caller may see)",
      tags: ["review"],
      schema: { response: { 200: ReviewDetailView } },
      handler: async (req, _reply, who) => {
        const row = await ownReviewRow(s, who, idParam(req));
        const item = await s.content.getItem(row.itemId);
        if (!item) throw new RasdError("not_found", "no such review entry");
        const visible = await s.access.visibleBanks(who);
        const banks = new Map(visible.map((b) => [b.id, b]));
        const matches = parse<StoredMatch[]>(item.matches, []).filter((m) => banks.has(m.bankId));
        const signals = await s.store.getSignals([...new Set(matches.map((m) => m.signalId))]);
        return {
          review: { ...reviewView(row), ...undoField(row, who.personId) },
          item: contentView(item, await s.actions.actionsOf([item.id]), new Set(banks.keys())),
          matched_signals: signals.map((sig) => {
            const m = matches.find((x) => x.signalId === sig.id)!;
            const bank = banks.get(sig.bankId)!;
            return {
              signal: signalView(sig),
              bank: { id: bank.id, name: bank.name, org_id: bank.orgId, tlp: bank.tlp, negative: bank.negative },
              ...(m.distance !== undefined ? { distance: m.distance } : {}),
              ...(m.similarity !== undefined ? { similarity: m.similarity } : {}),
              suppressed: m.suppressed ?? false,
            };
          }),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/content/:id/media",
      access: "review.read",
      summary:
        "The item as submitted, for review: its image or video bytes (or its text or URL as plain text); " +
        "the item's own organisation only",
      tags: ["review"],
      schema: { response: { 200: MediaResponse } },
      handler: async (req, reply, who) => {
        const id = idParam(req);
        const item = Number.isNaN(id) ? undefined : await s.content.getItem(id);
        if (!item || item.orgId !== who.orgId) throw new RasdError("not_found", "no such content item");
        void reply
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("cache-control", "private, no-store")
          .header("content-disposition", "inline");
        if (item.kind === "image" || item.kind === "video") {
          const expired = (at: number): RasdError =>
            new RasdError(
              "media.expired",
              `media expired: item ${item.id}'s ${item.kind} was deleted on ${new Date(at).toISOString()} under the media retention policy; its hashes, matches and decisions are kept`,
            );
          if (item.mediaExpiredAt !== null) throw expired(item.mediaExpiredAt);
          const bytes = await s.content.getMedia(item.id);
          if (!bytes) {
            // Expired between the two reads, or lost from the media store.
            const again = await s.content.getItem(item.id);
            if (again?.mediaExpiredAt) throw expired(again.mediaExpiredAt);
            throw new RasdError("not_found", `item ${item.id}'s media is missing from the media store`);
          }
          const type = (item.mediaType ?? "").toLowerCase();
          void reply.type(INLINE_MEDIA.test(type) ? type : "application/octet-stream");
          return Buffer.from(bytes);
        }
        void reply.type("text/plain; charset=utf-8");
        return item.text ?? item.url ?? "";
      },
    }),
    ...claimRoutes(s),
  ];
}

/** Claiming an entry: a lease so that two reviewers do not work on the same item. */
function claimRoutes(s: Services): RouteDef[] {
  const reviews = new ReviewService({
    content: s.content,
    reviews: s.reviews,
    banks: s.banks,
    access: s.access,
    wellness: new WellnessService(s.stores.wellness),
  });
  return [
    route({
      method: "POST",
      url: "/v1/reviews/:id/claim",
      access: "review.decide",
      summary:
        "Claim an open (or, for an admin, escalated) review entry for 10 minutes: it is not offered to another " +
        "reviewer, and another reviewer's decision is refused (409) until the claim lapses or is released; " +
        "claiming again renews it. Opening a new entry counts against the organisation's daily limit " +
        "(PUT /v1/reviews/daily-limit): past it, 429 review.daily_limit until UTC midnight",
      tags: ["review"],
      schema: {
        response: { 200: Type.Object({ id: Type.Number(), claimed_by: Type.Number(), claimed_until: Type.String() }) },
      },
      handler: async (req, _reply, who) => {
        const r = await reviews.claim(who, idParam(req));
        return { id: r.id, claimed_by: who.personId, claimed_until: new Date(r.claimedUntil).toISOString() };
      },
    }),
    route({
      method: "POST",
      url: "/v1/reviews/:id/undo",
      access: "review.decide",
      summary:
        "Undo the caller's own latest decision on a review entry within 5 minutes of making it: the entry goes " +
        "back to the queue it was in (open, or escalated), claimed by the caller. Refused (409) after the window, " +
        "when the decision added signals to a bank, on another person's decision, or while another reviewer " +
        "holds the entry",
      tags: ["review"],
      schema: {
        params: Type.Object({ id: Type.String() }),
        response: {
          200: Type.Object({ id: Type.Number(), status: StringEnum(["open", "escalated"]) }),
        },
      },
      handler: async (req, _reply, who) => {
        const r = await reviews.undo(who, idParam(req));
        await s.access.audit(auditEntry(req, who, "review.undo", `review:${r.id}`, { status: r.status }));
        return r;
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/reviews/:id/claim",
      access: "review.decide",
      summary: "Release the caller's claim on a review entry (nothing happens when they do not hold it)",
      tags: ["review"],
      schema: { response: { 204: NoContent } },
      handler: async (req, reply, who) => {
        await reviews.release(who, idParam(req));
        void reply.status(204);
        return undefined;
      },
    }),
  ];
}
