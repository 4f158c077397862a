/**
 * Submitting content for hash – match – act, and reading what happened to it.
 *
 * POST /v1/content takes JSON (`url` or `text`) or multipart/form-data (one file part named
 * `image` or `video`, plus the same fields as form fields), with an Idempotency-Key header.
 * The answer is 202 once the item and its job are committed: from then on it is not lost.
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { checkOutcomeOrder } from "../../core/outcome-order.js";
import { OUTCOME_KINDS, checkOutcome } from "../../core/outcomes.js";
import { percentiles } from "../../kernels/quantify/index.js";
import { serviceImageLimits } from "../../media/decode-gate.js";
import { inspectImage } from "../../media/image-decode.js";
import type { Services } from "../../server/services.js";
import type { ContentKind } from "../../storage/ports/index.js";
import type { Principal } from "../../services/access.js";
import { idParam, pageQuery, route, type RouteDef } from "../route.js";
import { StringEnum, StringOrInteger } from "../schemas/common.js";
import { BatchView, ContentItemView, OutcomeView, SubmittedView, TimeToActionView } from "../schemas/content.js";
import { contentView, outcomeView } from "../views.js";
import {
  BATCH_ITEM,
  IDEMPOTENCY_KEY,
  JSON_ITEM,
  buildItem,
  checkText,
  postedAt,
  readMultipart,
  type Fields,
} from "./content-input.js";
import { auditEntry } from "./members.js";

export function contentRoutes(s: Services): RouteDef[] {
  const ownItem = async (who: Principal, raw: number) => {
    const item = Number.isNaN(raw) ? undefined : await s.content.getItem(raw);
    if (!item || item.orgId !== who.orgId) throw new RasdError("not_found", "no such content item");
    return item;
  };

  return [
    route({
      method: "POST",
      url: "/v1/content",
      access: "content.submit",
      summary: "Submit an item (image, video, URL or text) for hash – match – act; 202 with its id",
      tags: ["content"],
      multipart: true,
      schema: {
        headers: {
          type: "object",
          required: ["idempotency-key"],
          properties: { "idempotency-key": { type: "string" } },
        },
        body: {
          content: {
            "application/json": { schema: JSON_ITEM },
            "multipart/form-data": {
              // Parsed by the handler (req.parts()), so the schema only documents the parts.
              schema: {
                description:
                  "One file part named image or video; text (its caption), content_id, author_id, posted_at, platform, country as fields",
                properties: {
                  image: { type: "string", format: "binary" },
                  video: { type: "string", format: "binary" },
                  content_id: { type: "string" },
                  author_id: { type: "string" },
                  posted_at: { type: "string" },
                  text: { type: "string" },
                  platform: { type: "string" },
                  country: { type: "string" },
                },
              },
            },
          },
        },
        response: { 202: SubmittedView },
      },
      handler: async (req, reply, who) => {
        const key = String(req.headers["idempotency-key"] ?? "");
        if (!IDEMPOTENCY_KEY.test(key))
          throw new RasdError("invalid", "Idempotency-Key header: 1..200 printable ASCII characters");
        await s.backlog.check(); // before reading an upload
        let kind: ContentKind;
        let fields: Fields;
        let media: Buffer | null = null;
        let mediaType: string | null = null;
        if (req.isMultipart()) {
          const m = await readMultipart(req, s.config.dataDir);
          ({ kind, fields, media, mediaType } = m);
          if (m.fields.url !== undefined) throw new RasdError("invalid", "send a file or a url, not several");
          if (kind === "image")
            await inspectImage(media, { limits: serviceImageLimits(), limitHint: "", budgetHint: "" });
        } else {
          // The JSON body was validated against JSON_ITEM (the multipart one is read above).
          fields = (req.body ?? {}) as Fields;
          if (fields.url === undefined && fields.text === undefined)
            throw new RasdError(
              "invalid",
              'body: give "url" or "text" (a text with a url is its caption), or upload a file as multipart/form-data',
            );
          kind = fields.url !== undefined ? "url" : "text";
        }
        const item = buildItem(who, key, kind, fields, media, mediaType, s.shorteners, "");
        const result = await s.submissions.submit(item);
        if (result instanceof RasdError) throw result;
        if (!result.replay) s.metrics.submitted.inc({ kind });
        void reply.status(202).header("location", `/v1/content/${result.id}`);
        return { id: result.id, status: "received" as const, replay: result.replay, href: `/v1/content/${result.id}` };
      },
    }),
    route({
      method: "POST",
      url: "/v1/content/batch",
      access: "content.submit",
      summary:
        "Submit up to 1,000 URL or text items at once, each with its own idempotency_key; 202 with a result per item",
      tags: ["content"],
      schema: {
        body: Type.Object(
          { items: Type.Array(BATCH_ITEM, { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 202: BatchView },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        await s.backlog.check(); // the whole batch waits, not some of its items
        // Each item is judged alone: a bad one is reported, the others are accepted.
        const submitted = { url: 0, text: 0 }; // counted once a batch, not once an item
        const results = await Promise.all(
          body.items.map(async (fields, i) => {
            const at = `items[${i}].`;
            try {
              if (!IDEMPOTENCY_KEY.test(fields.idempotency_key))
                throw new RasdError("invalid", `${at}idempotency_key: 1..200 printable ASCII characters`);
              if (fields.url === undefined && fields.text === undefined)
                throw new RasdError("invalid", `items[${i}]: give "url" or "text"`);
              const kind = fields.url !== undefined ? "url" : "text";
              const r = await s.submissions.submit(
                buildItem(who, fields.idempotency_key, kind, fields, null, null, s.shorteners, at),
              );
              if (r instanceof RasdError) throw r;
              if (!r.replay) submitted[kind]++;
              return { id: r.id, status: "received" as const, replay: r.replay };
            } catch (error) {
              if (!(error instanceof RasdError)) throw error;
              return { error: { code: error.code, message: error.message } };
            }
          }),
        );
        for (const kind of ["url", "text"] as const)
          if (submitted[kind] > 0) s.metrics.submitted.inc({ kind }, submitted[kind]);
        void reply.status(202);
        return { items: results, accepted: results.filter((r) => "id" in r).length };
      },
    }),
    route({
      method: "GET",
      url: "/v1/content/:id",
      access: "content.read",
      summary: "An item: its state, hashes, matches and actions, with a timestamp for each step",
      tags: ["content"],
      schema: { response: { 200: ContentItemView } },
      handler: async (req, _reply, who) => {
        const item = await ownItem(who, idParam(req));
        return contentView(item, await s.actions.actionsOf([item.id]), await s.access.visibleBankIds(who), {
          classification: await s.content.classificationOf(item.id),
          outcomes: await s.content.outcomesOf([item.id]),
        });
      },
    }),
    route({
      method: "POST",
      url: "/v1/content/:id/outcomes",
      access: "content.submit",
      summary:
        "Report what happened to an item on the platform: a removal order, removal, not acted on and why, a complaint and its outcome, a restoration",
      tags: ["content"],
      schema: {
        body: Type.Object(
          {
            kind: StringEnum(OUTCOME_KINDS),
            basis: Type.Optional(Type.String({ maxLength: 40 })),
            reason: Type.Optional(Type.String({ maxLength: 40 })),
            authority: Type.Optional(Type.String({ maxLength: 200 })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
            at: Type.Optional(StringOrInteger({ description: "When it happened (default: now)" })),
          },
          { additionalProperties: false },
        ),
        response: { 201: OutcomeView },
      },
      handler: async (req, reply, who) => {
        const item = await ownItem(who, idParam(req));
        const b = req.body;
        const at = postedAt(b.at, "at") ?? Date.now();
        if (at < item.receivedAt - 366 * 86_400_000)
          throw new RasdError("invalid", "at: more than a year before the item was received");
        if (at > Date.now() + 5 * 60_000) throw new RasdError("invalid", "at: in the future");
        const input = {
          kind: b.kind,
          basis: b.basis ?? "",
          reason: b.reason ?? "",
          authority: checkText("authority", b.authority, 200).trim(),
          at,
        };
        const row = await s.content.addOutcome(
          {
            itemId: item.id,
            orgId: who.orgId,
            personId: who.personId,
            ...input,
            note: checkText("note", b.note, 2000),
          },
          (earlier) => {
            checkOutcome(earlier, input);
            checkOutcomeOrder(item, earlier, input);
          },
        );
        await s.access.audit(auditEntry(req, who, `content.${b.kind}`, `content:${item.id}`, { outcome: row.id }));
        void reply.status(201);
        return outcomeView(row);
      },
    }),
    route({
      method: "GET",
      url: "/v1/content",
      access: "content.read",
      summary: "The organisation's items, newest first",
      tags: ["content"],
      schema: {
        querystring: pageQuery(500, {
          status: Type.Optional(StringEnum(["received", "acting", "done", "failed", "action_failed"])),
        }),
        response: { 200: Type.Object({ items: Type.Array(ContentItemView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const items = await s.content.listItems(who.orgId, {
          ...(q.before ? { beforeId: q.before } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
          ...(q.status ? { status: q.status } : {}),
        });
        const actions = await s.actions.actionsOf(items.map((i) => i.id));
        const visible = await s.access.visibleBankIds(who);
        return {
          items: items.map((i) =>
            contentView(
              i,
              actions.filter((a) => a.itemId === i.id),
              visible,
            ),
          ),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/stats/time-to-action",
      access: "content.read",
      summary: "Percentiles of received → hashed → matched → acted for the organisation's items",
      tags: ["content"],
      schema: {
        querystring: Type.Object(
          {
            since: Type.Optional(Type.String({ format: "date-time" })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TimeToActionView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const since = q.since ? Date.parse(q.since) : 0;
        const rows = await s.content.itemTimes(who.orgId, since, q.limit ?? 100_000);
        const step = (pick: (r: (typeof rows)[number]) => number | null) =>
          percentiles(rows.flatMap((r) => (pick(r) === null ? [] : [Number(pick(r)) - r.receivedAt])));
        return {
          items: rows.length,
          since: new Date(since).toISOString(),
          hashed_ms: step((r) => r.hashedAt),
          matched_ms: step((r) => r.matchedAt),
          acted_ms: step((r) => r.actedAt),
        };
      },
    }),
  ];
}
