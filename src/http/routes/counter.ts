/**
 * Counter-messaging's API (issue 20): the counter-narrative library and its workflow, the
 * keyword sets per narrative, the redirect lookup, signed event reports, each member's event
 * secret, the public tracking link, and the campaign figures with their intervals and the
 * comparison of two items (docs/counter-messaging.md).
 */

import { normalizeText } from "../../kernels/text/index.js";
import { Type } from "typebox";
import {
  COUNTER_EVENT_KINDS,
  COUNTER_KINDS,
  COUNTER_LANGS,
  COUNTER_STATUSES,
  NARRATIVES,
  type CounterItem,
} from "../../core/counter.js";
import { RasdError } from "../../core/errors.js";
import { TLP_MARKINGS } from "../../core/model.js";
import type { Services } from "../../server/services.js";
import { COUNTER_GROUPINGS, COUNTER_METHODS } from "../../services/counter-figures.js";
import { idParam, route, type RouteDef } from "../route.js";
import { rawBody } from "../raw-body.js";
import { StringEnum } from "../schemas/common.js";
import {
  CounterComparisonView,
  CounterEventsView,
  CounterFiguresView,
  CounterItemList,
  CounterItemView,
  CounterKeywordList,
  CounterKeywordView,
  RedirectView,
} from "../schemas/counter.js";
import { auditEntry } from "./members.js";

const DAY = 86_400_000;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function itemView(i: CounterItem) {
  return {
    id: i.id,
    orgId: i.orgId,
    kind: i.kind,
    title: i.title,
    body: i.body,
    url: i.url,
    mediaHash: i.mediaHash,
    narratives: [...i.narratives],
    audience: i.audience,
    lang: i.lang,
    tlp: i.tlp,
    status: i.status,
    createdAt: new Date(i.createdAt).toISOString(),
    approvedAt: iso(i.approvedAt),
    retiredAt: iso(i.retiredAt),
  };
}

/** Infinite bounds (a mean of fewer than two values) as null in JSON. */
const finite = (x: number) => (Number.isFinite(x) ? x : null);

function rangeOf(q: { from?: string; to?: string }): { from: number; to: number } {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - 30 * DAY;
  if (!(from < to)) throw new RasdError("invalid", "from must be before to");
  return { from, to };
}

const range = {
  from: Type.Optional(
    Type.String({ format: "date-time", description: "Start (inclusive); default 30 days before `to`" }),
  ),
  to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now" })),
};

function idOf(req: Parameters<typeof idParam>[0], what: string): number {
  const id = idParam(req);
  if (!Number.isFinite(id)) throw new RasdError("not_found", `no ${what} with that id`);
  return id;
}

export function counterRoutes(s: Services): RouteDef[] {
  const c = s.counter;
  const figuresView = (f: Awaited<ReturnType<typeof c.figures.figures>>[number]) => ({
    ...f,
    ctr: { rate: f.ctr.rate, low: f.ctr.low, high: f.ctr.high },
    meanWatch: { ...f.meanWatch, low: finite(f.meanWatch.low), high: finite(f.meanWatch.high) },
  });
  const differenceView = (d: Awaited<ReturnType<typeof c.figures.compare>>["ctr"]) => ({
    ...d,
    low: finite(d.low),
    high: finite(d.high),
    statistic: finite(d.statistic),
  });
  return [
    route({
      method: "GET",
      url: "/v1/counter/items",
      access: "counter.read",
      summary:
        "The counter-narrative library: the caller's organisation's items (drafts too) and other members' approved or retired items its TLP lets it see",
      tags: ["counter"],
      schema: {
        querystring: Type.Object(
          { status: Type.Optional(StringEnum(COUNTER_STATUSES)) },
          { additionalProperties: false },
        ),
        response: { 200: CounterItemList },
      },
      handler: async (req, _reply, who) => ({ items: (await c.library.list(who, req.query.status)).map(itemView) }),
    }),
    route({
      method: "POST",
      url: "/v1/counter/items",
      access: "counter.write",
      summary:
        "Draft a counter-narrative item for the caller's organisation (TLP AMBER+STRICT unless marked otherwise)",
      tags: ["counter"],
      schema: {
        body: Type.Object(
          {
            kind: StringEnum(COUNTER_KINDS),
            title: Type.String({ minLength: 1, maxLength: 300 }),
            body: Type.Optional(Type.String({ maxLength: 10_000 })),
            url: Type.Optional(Type.String({ maxLength: 2000 })),
            mediaHash: Type.Optional(Type.String({ maxLength: 80 })),
            narratives: Type.Array(StringEnum(NARRATIVES), { minItems: 1, maxItems: NARRATIVES.length }),
            audience: Type.Optional(Type.String({ maxLength: 500 })),
            lang: StringEnum(COUNTER_LANGS),
            tlp: Type.Optional(StringEnum(TLP_MARKINGS)),
          },
          { additionalProperties: false },
        ),
        response: { 201: CounterItemView },
      },
      handler: async (req, reply, who) => {
        const item = await c.library.add(who, req.body);
        await s.access.audit(auditEntry(req, who, "counter.add", `counter:${item.id}`, { title: item.title }));
        void reply.status(201);
        return itemView(item);
      },
    }),
    route({
      method: "GET",
      url: "/v1/counter/items/:id",
      access: "counter.read",
      summary: "One counter-narrative item",
      tags: ["counter"],
      schema: { response: { 200: CounterItemView } },
      handler: async (req, _reply, who) => itemView(await c.library.get(who, idOf(req, "counter item"))),
    }),
    route({
      method: "PATCH",
      url: "/v1/counter/items/:id",
      access: "counter.write",
      summary:
        "Edit a draft of the caller's organisation (fields not sent keep their value; an approved or retired item cannot change: conflict)",
      tags: ["counter"],
      schema: {
        body: Type.Object(
          {
            kind: Type.Optional(StringEnum(COUNTER_KINDS)),
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
            body: Type.Optional(Type.String({ maxLength: 10_000 })),
            url: Type.Optional(Type.String({ maxLength: 2000, description: '"" removes it' })),
            mediaHash: Type.Optional(Type.String({ maxLength: 80, description: '"" removes it' })),
            narratives: Type.Optional(Type.Array(StringEnum(NARRATIVES), { minItems: 1, maxItems: NARRATIVES.length })),
            audience: Type.Optional(Type.String({ maxLength: 500 })),
            lang: Type.Optional(StringEnum(COUNTER_LANGS)),
            tlp: Type.Optional(StringEnum(TLP_MARKINGS)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: CounterItemView },
      },
      handler: async (req, _reply, who) => {
        const id = idOf(req, "counter item");
        const item = await c.library.edit(who, id, req.body);
        await s.access.audit(
          auditEntry(req, who, "counter.edit", `counter:${id}`, { fields: Object.keys(req.body).sort() }),
        );
        return itemView(item);
      },
    }),
    ...(["approve", "retire"] as const).map((verb) =>
      route({
        method: "POST",
        url: `/v1/counter/items/:id/${verb}`,
        access: "counter.approve",
        summary:
          verb === "approve"
            ? "Approve a draft: from now on redirects may serve it (an admin or reviewer of its own organisation)"
            : "Retire an item: redirects stop serving it (an admin or reviewer of its own organisation)",
        tags: ["counter"],
        schema: { response: { 200: CounterItemView } },
        handler: async (req, _reply, who) => {
          const id = idOf(req, "counter item");
          const item = await c.library.transition(who, id, verb === "approve" ? "approved" : "retired");
          await s.access.audit(auditEntry(req, who, `counter.${verb}`, `counter:${id}`, {}));
          return itemView(item);
        },
      }),
    ),
    route({
      method: "GET",
      url: "/v1/counter/keywords",
      access: "counter.read",
      summary:
        "The keyword sets per narrative that tell a query's narrative (every member's, matched Arabic-normalised)",
      tags: ["counter"],
      schema: { response: { 200: CounterKeywordList } },
      handler: async () => ({
        keywords: (await c.library.keywords()).map((k) => ({
          id: k.id,
          orgId: k.orgId,
          narrative: k.narrative,
          phrase: k.phrase,
          normalized: normalizeText(k.phrase),
          createdAt: new Date(k.createdAt).toISOString(),
        })),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/counter/keywords",
      access: "counter.write",
      summary: "Add phrases to a narrative's keyword set (phrases the organisation already has are skipped)",
      tags: ["counter"],
      schema: {
        body: Type.Object(
          {
            narrative: StringEnum(NARRATIVES),
            phrases: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 500 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ added: Type.Array(CounterKeywordView) }) },
      },
      handler: async (req, reply, who) => {
        const added = await c.library.addKeywords(who, req.body.narrative, req.body.phrases);
        await s.access.audit(
          auditEntry(req, who, "counter.keywords", `narrative:${req.body.narrative}`, { added: added.length }),
        );
        void reply.status(201);
        return {
          added: added
            .map((k) => ({ ...k, createdAt: new Date(k.createdAt).toISOString() }))
            .map((k) => ({
              id: k.id,
              orgId: k.orgId,
              narrative: k.narrative,
              phrase: k.phrase,
              normalized: normalizeText(k.phrase),
              createdAt: k.createdAt,
            })),
        };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/counter/keywords/:id",
      access: "counter.write",
      summary: "Remove one of the organisation's keywords",
      tags: ["counter"],
      schema: { response: { 204: Type.Null() } },
      handler: async (req, reply, who) => {
        const id = idOf(req, "keyword");
        await c.library.removeKeyword(who, id);
        await s.access.audit(auditEntry(req, who, "counter.keyword.remove", `keyword:${id}`, {}));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "POST",
      url: "/v1/redirect",
      access: "counter.redirect",
      summary:
        "Approved counter-content for a search query or a post (text, URL or media hash): its narrative found by keywords, banked matches and the stance classifier, with the reasons, ranked, each with a signed tracking link",
      tags: ["counter"],
      schema: {
        body: Type.Object(
          {
            query: Type.Optional(Type.String({ maxLength: 2000 })),
            text: Type.Optional(Type.String({ maxLength: 20_000 })),
            url: Type.Optional(Type.String({ maxLength: 2000 })),
            mediaHash: Type.Optional(
              Type.String({ maxLength: 80, description: "pdq:<hex>, md5:<hex> or sha256:<hex>" }),
            ),
            lang: Type.Optional(StringEnum(COUNTER_LANGS)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RedirectView },
      },
      handler: async (req, _reply, who) => {
        const r = await c.redirect.redirect(who, req.body);
        return {
          ...r,
          narratives: [...r.narratives],
          reasons: [...r.reasons],
          items: r.items.map((x) => ({ ...x, item: itemView(x.item) })),
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/redirect/events",
      access: "counter.redirect",
      summary:
        "Report impressions, clicks and watch time of served counter-content: signed with the organisation's event secret (Standard Webhooks headers), de-duplicated by event id",
      tags: ["counter"],
      schema: {
        body: Type.Object(
          {
            events: Type.Array(
              Type.Object(
                {
                  id: Type.String({ minLength: 1, maxLength: 200 }),
                  kind: StringEnum(COUNTER_EVENT_KINDS),
                  token: Type.String({ minLength: 1, maxLength: 600 }),
                  at: Type.Optional(Type.String({ format: "date-time" })),
                  watchSeconds: Type.Optional(Type.Number()),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 1000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: CounterEventsView },
      },
      handler: async (req, _reply, who) => {
        const header = (name: string) => {
          const v = req.headers[name];
          return Array.isArray(v) ? v.join(" ") : v;
        };
        await c.events.verify(who.orgId, rawBody(req), {
          id: header("webhook-id"),
          timestamp: header("webhook-timestamp"),
          signature: header("webhook-signature"),
        });
        const recorded = await c.events.record(
          who,
          req.body.events.map((e) => ({
            id: e.id,
            kind: e.kind,
            token: e.token,
            ...(e.at ? { at: Date.parse(e.at) } : {}),
            ...(e.watchSeconds !== undefined ? { watchSeconds: e.watchSeconds } : {}),
          })),
        );
        return { ...recorded, results: [...recorded.results] };
      },
    }),
    route({
      method: "POST",
      url: "/v1/redirect/secret",
      access: "settings.write",
      summary:
        "Make (or replace) the organisation's event secret for signing POST /v1/redirect/events; shown once, sealed at rest",
      tags: ["counter"],
      schema: { response: { 201: Type.Object({ secret: Type.String() }) } },
      handler: async (req, reply, who) => {
        const secret = await c.events.rotateSecret(who);
        await s.access.audit(auditEntry(req, who, "counter.secret", `org:${who.orgId}`, {}));
        void reply.status(201);
        return { secret };
      },
    }),
    route({
      method: "GET",
      url: "/v1/redirect/go/:token",
      access: "public",
      summary:
        "A tracking link (public: the reader's browser follows it): records the click once per impression and sends the reader to the item (303), or answers a text item's text",
      tags: ["counter"],
      schema: {
        params: Type.Object({ token: Type.String({ maxLength: 600 }) }),
        response: { 200: Type.Object({ title: Type.String(), body: Type.String() }) },
      },
      handler: async (req, reply) => {
        const { item } = await c.events.click(req.params.token, (id) => s.stores.counter.getItem(id));
        if (item.url) {
          void reply.header("cache-control", "no-store").redirect(item.url, 303);
          return undefined;
        }
        return { title: item.title, body: item.body };
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/counter",
      access: "measure.read",
      summary:
        "Campaign figures of counter-content the organisation served or owns: reach, click-through rate (95% Wilson) and watch time per view (95% t-interval) per item, narrative, language or period",
      tags: ["measure", "counter"],
      schema: {
        querystring: Type.Object(
          {
            ...range,
            by: Type.Optional(StringEnum(COUNTER_GROUPINGS)),
            interval: Type.Optional(StringEnum(["day", "week", "month"])),
            item: Type.Optional(Type.Integer({ minimum: 1 })),
            narrative: Type.Optional(StringEnum(NARRATIVES)),
            lang: Type.Optional(StringEnum(COUNTER_LANGS)),
          },
          { additionalProperties: false },
        ),
        response: { 200: CounterFiguresView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const { from, to } = rangeOf(q);
        const by = q.by ?? "item";
        const rows = await c.figures.figures({ from, to, orgId: who.orgId }, by, q.interval ?? "day", {
          ...(q.item ? { itemId: q.item } : {}),
          ...(q.narrative ? { narrative: q.narrative } : {}),
          ...(q.lang ? { lang: q.lang } : {}),
        });
        return {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          by,
          rows: rows.map(figuresView),
          methods: { ...COUNTER_METHODS },
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/counter/compare",
      access: "measure.read",
      summary:
        "Whether two counter-items on the same narrative differ: CTR (two-proportion z-test, Newcombe interval of the difference) and watch time (Welch's t-test and interval)",
      tags: ["measure", "counter"],
      schema: {
        querystring: Type.Object(
          { ...range, a: Type.Integer({ minimum: 1 }), b: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        response: { 200: CounterComparisonView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const { from, to } = rangeOf(q);
        const [a, b] = await Promise.all([c.library.get(who, q.a), c.library.get(who, q.b)]);
        const shared = a.narratives.filter((n) => b.narratives.includes(n));
        const r = await c.figures.compare({ from, to, orgId: who.orgId }, a.id, b.id, shared);
        return {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          a: figuresView(r.a),
          b: figuresView(r.b),
          narratives: [...r.narratives],
          ctr: differenceView(r.ctr),
          watch: differenceView(r.watch),
        };
      },
    }),
  ];
}
