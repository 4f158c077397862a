/**
 * The coalition's figures: prevalence of pro- and anti-ISIS content with 95% intervals and
 * the anti:pro ratio (over the whole coalition's classified items — the information space,
 * never item content), and takedown figures (the caller's own items by default).
 */

import { Type, type TProperties } from "typebox";
import { RasdError } from "../../core/errors.js";
import { can } from "../../core/roles.js";
import { INTERVALS, type Interval } from "../../core/periods.js";
import type { Services } from "../../server/services.js";
import type { MeasureFilter } from "../../services/measurement.js";
import type { Principal } from "../../services/access.js";
import { route, type RouteDef } from "../route.js";
import { StringEnum } from "../schemas/common.js";
import { ReuploadMeasurementView, StanceMeasurementView, TakedownMeasurementView } from "../schemas/measure.js";
import { REUSE_DEFINITIONS, measureDecisions, measureReuploads } from "../../services/reuploads.js";

const DAY = 86_400_000;

const range = {
  from: Type.Optional(
    Type.String({ format: "date-time", description: "Start (inclusive); default 30 days before `to`" }),
  ),
  to: Type.Optional(Type.String({ format: "date-time", description: "End (exclusive); default now" })),
  platform: Type.Optional(Type.String({ maxLength: 100 })),
  country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
  lang: Type.Optional(StringEnum(["ar", "en", "und"], { description: "Items the classifier found in this language" })),
};

/** A querystring schema: the time range and platform/country filters, plus `extra`. */
function rangeQuery<P extends TProperties>(extra: P) {
  return Type.Object({ ...range, ...extra }, { additionalProperties: false });
}

function filterOf(q: {
  from?: string;
  to?: string;
  platform?: string;
  country?: string;
  lang?: string;
}): MeasureFilter {
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - 30 * DAY;
  if (!(from < to)) throw new RasdError("invalid", "from must be before to");
  return {
    from,
    to,
    ...(q.platform ? { platform: q.platform } : {}),
    ...(q.country ? { country: q.country } : {}),
    ...(q.lang ? { lang: q.lang } : {}),
  };
}

/** `scope`: the caller's organisation's items (default) or every member's in aggregate. */
function scopeParam(namedFor: string) {
  return Type.Optional(
    StringEnum(["org", "coalition"], {
      description: `org (default): the caller's organisation's items; coalition: every member's, in aggregate (${namedFor})`,
    }),
  );
}

/** The filter of a scoped figure: the caller's organisation unless the coalition was asked for. */
function scopedFilter(
  q: { from?: string; to?: string; platform?: string; country?: string; lang?: string; scope?: "org" | "coalition" },
  who: Principal,
  byDefault: "org" | "coalition" = "org",
): { coalition: boolean; filter: MeasureFilter } {
  const coalition = (q.scope ?? byDefault) === "coalition";
  return { coalition, filter: { ...filterOf(q), ...(coalition ? {} : { orgId: who.orgId }) } };
}

export function measureRoutes(s: Services): RouteDef[] {
  const bankNames = async (who: Principal) => {
    const visible = await s.access.visibleBankIds(who);
    const names = new Map((await s.access.allBanks()).map((b) => [b.id, b.name]));
    return { visible, names };
  };
  return [
    route({
      method: "GET",
      url: "/v1/measure/stance",
      access: "measure.read",
      summary:
        "Estimated shares of pro- and anti-ISIS content per period with 95% intervals and the anti:pro ratio (adjusted classify-and-count, bootstrap)",
      tags: ["measure"],
      schema: {
        querystring: rangeQuery({
          interval: Type.Optional(StringEnum(INTERVALS.filter((i): i is Exclude<Interval, "hour"> => i !== "hour"))),
          scope: Type.Optional(
            StringEnum(["org", "coalition"], {
              description:
                "coalition (default): every member's classified items, the information space; org: the items the caller's organisation submitted",
            }),
          ),
        }),
        response: { 200: StanceMeasurementView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const interval = q.interval ?? "day";
        const { filter } = scopedFilter(q, who, "coalition");
        const m = await s.measurement.stance(filter, interval);
        if (!m)
          throw new RasdError("invalid", `too many ${interval} periods between from and to; use a longer interval`);
        return m;
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/takedown",
      access: "measure.read",
      summary:
        "Items matched, actioned and removed, time to action and to removal, the share removed within one hour — overall, per platform and per bank",
      tags: ["measure"],
      schema: {
        querystring: rangeQuery({
          scope: scopeParam("per platform only for the operator"),
          bank: Type.Optional(
            Type.Integer({ minimum: 1, description: "Only items that matched this bank (one the caller may see)" }),
          ),
        }),
        response: { 200: TakedownMeasurementView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const { coalition, filter } = scopedFilter(q, who);
        const { visible, names } = await bankNames(who);
        if (q.bank !== undefined && !visible.has(q.bank)) throw new RasdError("not_found", `no such bank: ${q.bank}`);
        // Other members' figures by name only to the coalition's operator; others get the aggregate.
        const namePlatforms = !coalition || can(who.role, "coalition.read");
        return s.measurement.takedown(filter, visible, names, {
          namePlatforms,
          ...(q.bank !== undefined ? { bank: q.bank } : {}),
        });
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/reuploads",
      access: "measure.read",
      summary:
        "Re-uploads of the same content (on the same platform or another, after removal, found by matching) and who decided removals: people, automated matching or the member's own process, with the matching's precision as people judged it",
      tags: ["measure"],
      schema: {
        querystring: rangeQuery({
          scope: scopeParam("per platform and the largest groups only for the operator"),
        }),
        response: { 200: ReuploadMeasurementView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const { coalition, filter } = scopedFilter(q, who);
        const [reuploads, decisions] = await Promise.all([
          measureReuploads(s.stores.measures, filter),
          measureDecisions(s.stores.measures, filter),
        ]);
        const named = !coalition || can(who.role, "coalition.read");
        return {
          from: new Date(filter.from).toISOString(),
          to: new Date(filter.to).toISOString(),
          reuploads: named ? reuploads : { ...reuploads, byPlatform: [], largest: [] },
          decisions,
          definitions: REUSE_DEFINITIONS,
        };
      },
    }),
  ];
}
