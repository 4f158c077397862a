/**
 * The labelling queue (services/labels.ts): draw a random, stratified sample of the member's
 * classified items per period, list the tasks, and label an item's stance. The labels make
 * GET /v1/measure/stance valid whatever the classifier's errors.
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { LabelService, MAX_PER_PERIOD } from "../../services/labels.js";
import type { Services } from "../../server/services.js";
import { LABEL_STANCES } from "../../storage/ports/labels.js";
import type { LabelTask } from "../../storage/ports/index.js";
import { idParam, route, type RouteDef } from "../route.js";
import { Nullable, StringEnum } from "../schemas/common.js";
import { auditEntry } from "./members.js";

const DAY = 86_400_000;

const TaskView = Type.Object({
  id: Type.Number(),
  item_id: Type.Number(),
  period_start: Type.String(),
  interval: Type.String(),
  kind: Type.String(),
  text: Nullable(Type.String()),
  url: Nullable(Type.String()),
  platform: Type.String(),
  lang: Type.String(),
  predicted: Nullable(
    Type.String({ description: "The model's label; only with show_predicted=true (it anchors a reviewer)" }),
  ),
  stance: Type.Union([StringEnum(LABEL_STANCES), Type.Null()]),
  note: Type.String(),
  labelled_by: Nullable(Type.Number()),
  labelled_at: Nullable(Type.String()),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function taskView(t: LabelTask, showPredicted: boolean) {
  return {
    id: t.id,
    item_id: t.itemId,
    period_start: new Date(t.periodStart).toISOString(),
    interval: t.interval,
    kind: t.kind,
    text: t.text,
    url: t.url,
    platform: t.platform,
    lang: t.lang,
    predicted: showPredicted ? t.predicted : null,
    stance: t.stance,
    note: t.note,
    labelled_by: t.labelledBy,
    labelled_at: iso(t.labelledAt),
  };
}

export function labelRoutes(s: Services): RouteDef[] {
  const labels = new LabelService(s.stores.labels);
  return [
    route({
      method: "POST",
      url: "/v1/labels/draw",
      access: "review.decide",
      summary:
        "Draw a random sample of the organisation's classified items into the labelling queue: per period, spread over platform × language × predicted label (square-root allocation); tops up earlier draws",
      tags: ["labels"],
      schema: {
        body: Type.Object(
          {
            from: Type.Optional(Type.String({ format: "date-time", description: "default 30 days before `to`" })),
            to: Type.Optional(Type.String({ format: "date-time", description: "default now" })),
            interval: Type.Optional(StringEnum(["day", "week", "month"] as const, { description: "default month" })),
            perPeriod: Type.Optional(
              Type.Integer({ minimum: 1, maximum: MAX_PER_PERIOD, description: "labels per period, default 300" }),
            ),
            platform: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            periods: Type.Array(
              Type.Object({
                start: Type.String(),
                end: Type.String(),
                items: Type.Number(),
                strata: Type.Number(),
                drawn: Type.Number(),
                added: Type.Number(),
              }),
            ),
          }),
        },
      },
      handler: async (req, _reply, who) => {
        const b = req.body;
        const now = Date.now();
        const to = b.to ? Date.parse(b.to) : now;
        const from = b.from ? Date.parse(b.from) : to - 30 * DAY;
        const periods = await labels.draw({
          orgId: who.orgId,
          by: who.personId,
          from,
          to,
          interval: b.interval ?? "month",
          perPeriod: b.perPeriod ?? 300,
          now,
          ...(b.platform ? { platform: b.platform } : {}),
        });
        await s.access.audit(
          auditEntry(req, who, "labels.draw", `org:${who.orgId}`, {
            from: new Date(from).toISOString(),
            to: new Date(to).toISOString(),
            added: periods.reduce((a, p) => a + p.added, 0),
          }),
        );
        return { periods };
      },
    }),
    route({
      method: "GET",
      url: "/v1/labels",
      access: "review.read",
      summary: "The organisation's labelling tasks: open ones (oldest draw first) or labelled ones (latest first)",
      tags: ["labels"],
      schema: {
        querystring: Type.Object(
          {
            status: Type.Optional(StringEnum(["open", "labelled"] as const)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            show_predicted: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ tasks: Type.Array(TaskView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const tasks = await labels.list(who.orgId, q.status ?? "open", q.limit ?? 50);
        return { tasks: tasks.map((t) => taskView(t, q.show_predicted === true)) };
      },
    }),
    route({
      method: "POST",
      url: "/v1/labels/:id",
      access: "review.decide",
      summary: "Label a task's stance: pro, anti, neutral or cant_tell (a label may be changed)",
      tags: ["labels"],
      schema: {
        body: Type.Object(
          { stance: StringEnum(LABEL_STANCES), note: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ id: Type.Number(), stance: StringEnum(LABEL_STANCES), labelled_at: Type.String() }),
        },
      },
      handler: async (req, _reply, who) => {
        const id = idParam(req);
        if (!Number.isFinite(id)) throw new RasdError("not_found", "no such labelling task");
        const at = Date.now();
        await labels.label(who.orgId, id, req.body.stance, req.body.note ?? "", who.personId, at);
        await s.access.audit(auditEntry(req, who, "labels.label", `label:${id}`, { stance: req.body.stance }));
        return { id, stance: req.body.stance, labelled_at: new Date(at).toISOString() };
      },
    }),
  ];
}
