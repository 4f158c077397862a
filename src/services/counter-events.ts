/**
 * What platforms report of the counter-content they showed (issue 20): impressions, clicks and
 * watch time, each tied to a redirect's signed tracking token, in batches signed per member
 * (Standard Webhooks: an HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>" under the
 * member's event secret, kernels/webhook), and de-duplicated per member and event id. Event
 * secrets are sealed at rest under the server's secret key, like webhook secrets. A click on a
 * tracking link itself is recorded too (once per impression).
 */

import { COUNTER_EVENT_KINDS, type CounterEventKind, type CounterItem } from "../core/counter.js";
import { RasdError } from "../core/errors.js";
import type { Viewer } from "../core/sharing.js";
import { open, seal } from "../kernels/crypto/secret-box.js";
import { verifyTrackingToken, type TrackingClaims } from "../kernels/crypto/tracking-token.js";
import { newWebhookSecret, verifyWebhookSignature } from "../kernels/webhook/signature.js";
import type { CounterEvent, CounterStore } from "../storage/ports/index.js";

/** How far a batch's signing time may be from the server's clock. */
export const EVENT_SIGNATURE_TOLERANCE_S = 300;
/** The longest watch a single event may report. */
export const MAX_WATCH_SECONDS = 86_400;
/** An event may be timed this long before its serving (clock skew between platform and rasd). */
const SKEW_MS = 60_000;

export interface CounterEventInput {
  /** The platform's id for the event: the same id sent twice is recorded once. */
  readonly id: string;
  readonly kind: CounterEventKind;
  /** The tracking token the redirect gave with the item. */
  readonly token: string;
  /** When it happened, ms (default: when received). */
  readonly at?: number;
  /** For `watch`: seconds watched. */
  readonly watchSeconds?: number;
}

export interface SignatureHeaders {
  readonly id?: string | undefined;
  readonly timestamp?: string | undefined;
  readonly signature?: string | undefined;
}

export interface EventOutcome {
  readonly id: string;
  readonly duplicate: boolean;
}

export interface RecordedEvents {
  readonly results: readonly EventOutcome[];
  readonly recorded: number;
  readonly duplicates: number;
  /** Every event of the batch had been recorded before. */
  readonly duplicate: boolean;
}

export class CounterEvents {
  constructor(
    private readonly store: CounterStore,
    private readonly secretKey: Uint8Array,
    private readonly tokenKey: Uint8Array,
  ) {}

  /** Makes (or replaces) the viewer's organisation's event secret; the plain secret is shown only now. */
  async rotateSecret(who: Viewer, now = Date.now()): Promise<string> {
    const secret = newWebhookSecret();
    await this.store.setSecret(who.orgId, seal(this.secretKey, secret), now);
    return secret;
  }

  /** Checks a batch's signature under the member's event secret; throws a precise 401 error otherwise. */
  async verify(orgId: number, body: string, h: SignatureHeaders, now = Date.now()): Promise<void> {
    const missing = [
      ["webhook-id", h.id],
      ["webhook-timestamp", h.timestamp],
      ["webhook-signature", h.signature],
    ]
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length > 0)
      throw new RasdError(
        "auth.missing",
        `event signature: missing header${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (sign the body with your organisation's event secret, as Standard Webhooks do)`,
      );
    if (!/^\d{1,12}$/.test(h.timestamp!))
      throw new RasdError("auth.invalid", "event signature: webhook-timestamp must be Unix seconds");
    const ts = Number(h.timestamp);
    const skew = Math.abs(now / 1000 - ts);
    if (skew > EVENT_SIGNATURE_TOLERANCE_S)
      throw new RasdError(
        "auth.expired",
        `event signature: webhook-timestamp is ${Math.round(skew)} s from the server's clock (at most ${EVENT_SIGNATURE_TOLERANCE_S} s); sign each batch when sending it`,
      );
    const sealed = await this.store.getSecret(orgId);
    if (!sealed)
      throw new RasdError(
        "auth.invalid",
        "event signature: your organisation has no event secret yet; an admin makes one with POST /v1/redirect/secret",
      );
    if (!verifyWebhookSignature(open(this.secretKey, sealed), h.id!, ts, body, h.signature!))
      throw new RasdError(
        "auth.invalid",
        "event signature: webhook-signature does not match the body under your organisation's event secret (sign the exact bytes sent, with the current secret)",
      );
  }

  /** Records a verified batch (call `verify` first): each event once per member and id. */
  async record(who: Viewer, events: readonly CounterEventInput[], now = Date.now()): Promise<RecordedEvents> {
    const rows: CounterEvent[] = events.map((e, i) => this.toEvent(who.orgId, e, i, now));
    const fresh = await this.store.recordEvents(rows);
    const results = events.map((e, i) => ({ id: e.id, duplicate: !fresh[i] }));
    const duplicates = results.filter((r) => r.duplicate).length;
    return { results, recorded: results.length - duplicates, duplicates, duplicate: duplicates === results.length };
  }

  /**
   * A click on a tracking link (public: the searcher's browser follows it): the item to send
   * them to, and the click recorded once per impression.
   */
  async click(token: string, item: (id: number) => Promise<CounterItem | undefined>, now = Date.now()) {
    const claims = verifyTrackingToken(this.tokenKey, token);
    const target = await item(claims.item);
    if (!target) throw new RasdError("not_found", "tracking link: the item is gone");
    const [fresh] = await this.store.recordEvents([
      this.row(claims, { orgId: claims.org, eventId: `link:${claims.imp}`, kind: "click", at: now, watchMs: 0, now }),
    ]);
    return { item: target, duplicate: !fresh };
  }

  private toEvent(orgId: number, e: CounterEventInput, i: number, now: number): CounterEvent {
    const where = `events[${i}]`;
    if (!(COUNTER_EVENT_KINDS as readonly string[]).includes(e.kind))
      throw new RasdError("invalid", `${where}.kind: one of ${COUNTER_EVENT_KINDS.join(", ")}`);
    let claims: TrackingClaims;
    try {
      claims = verifyTrackingToken(this.tokenKey, e.token);
    } catch (error) {
      throw new RasdError("invalid", `${where}.token: ${(error as Error).message.replace(/^tracking token: /, "")}`);
    }
    if (claims.org !== orgId)
      throw new RasdError("invalid", `${where}.token: issued to another member; report only what you were served`);
    const at = e.at ?? now;
    if (at < claims.at * 1000 - SKEW_MS)
      throw new RasdError(
        "invalid",
        `${where}.at: before the item was served (${new Date(claims.at * 1000).toISOString()})`,
      );
    if (at > now + EVENT_SIGNATURE_TOLERANCE_S * 1000) throw new RasdError("invalid", `${where}.at: in the future`);
    let watchMs = 0;
    if (e.kind === "watch") {
      const s = e.watchSeconds;
      if (s === undefined || !(s > 0) || s > MAX_WATCH_SECONDS)
        throw new RasdError(
          "invalid",
          `${where}.watchSeconds: a watch event needs seconds watched, above 0 and at most ${MAX_WATCH_SECONDS}`,
        );
      watchMs = Math.round(s * 1000);
    } else if (e.watchSeconds !== undefined)
      throw new RasdError("invalid", `${where}.watchSeconds: only a watch event has seconds watched`);
    return this.row(claims, { orgId, eventId: e.id, kind: e.kind, at, watchMs, now });
  }

  private row(
    claims: TrackingClaims,
    e: { orgId: number; eventId: string; kind: CounterEventKind; at: number; watchMs: number; now: number },
  ): CounterEvent {
    return {
      orgId: e.orgId,
      eventId: e.eventId,
      kind: e.kind,
      itemId: claims.item,
      narrative: claims.narrative,
      lang: claims.lang,
      impression: claims.imp,
      servedAt: claims.at * 1000,
      at: e.at,
      watchMs: e.watchMs,
      recordedAt: e.now,
    };
  }
}
