/**
 * Links that stay down (issue 19): banked links with their liveness history, chains and
 * alerts; a link followed now with every hop matched; a check asked for now; the
 * organisation's own domains (whose live banked links it is alerted to); and the figures.
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { INTERVALS, type Interval } from "../../core/periods.js";
import type { Services } from "../../server/services.js";
import type { LinkPeriod } from "../../services/links/measure.js";
import type { Link, LinkCheck, LinkExpansion } from "../../storage/ports/index.js";
import { idParam, pageQuery, route, type RouteDef } from "../route.js";
import { NoContent, StringEnum } from "../schemas/common.js";
import {
  DomainView,
  LINK_STATES,
  LinkDetailView,
  LinkExpandView,
  LinkMeasurementView,
  LinkView,
  type LinkCheckView,
  type LinkExpansionView,
  type LinkPeriodView,
} from "../schemas/links.js";
import { iso, medianView } from "../views.js";
import { auditEntry } from "./members.js";

const DAY = 86_400_000;

export function linkView(l: Link): LinkView {
  return {
    id: l.id,
    url: l.url,
    host: l.host,
    status: l.status,
    status_at: iso(l.statusAt),
    banked_at: iso(l.bankedAt)!,
    first_online_at: iso(l.firstOnlineAt),
    last_online_at: iso(l.lastOnlineAt),
    first_offline_at: iso(l.firstOfflineAt),
    last_checked_at: iso(l.lastCheckedAt),
    next_check_at: iso(l.nextCheckAt)!,
    checks: l.checks,
    failures: l.failures,
    last_http_status: l.lastHttpStatus,
    last_error: l.lastError,
    final_url: l.finalUrl,
  };
}

function checkView(c: LinkCheck): LinkCheckView {
  return {
    checked_at: iso(c.checkedAt)!,
    status: c.status,
    http_status: c.httpStatus,
    detail: c.detail,
    hops: [...c.hops],
  };
}

function expansionView(e: LinkExpansion): LinkExpansionView {
  return {
    url: e.url,
    final_url: e.finalUrl,
    error: e.error,
    expanded_at: iso(e.expandedAt)!,
    item_id: e.itemId,
    hops: [...e.hops],
  };
}

function periodView(p: LinkPeriod): LinkPeriodView {
  return {
    start: p.start,
    end: p.end,
    checked: p.checked,
    offline: p.offline,
    share: p.share,
    share_low: p.shareLow,
    share_high: p.shareHigh,
    errors: p.errors,
    unchecked: p.unchecked,
    alerted: p.alerted,
    alerted_removed: p.alertedRemoved,
    alert_to_takedown: medianView(p.alertToTakedown),
  };
}

const DomainParam = Type.Object({ domain: Type.String({ minLength: 1, maxLength: 253 }) });

export function linkRoutes(s: Services): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/v1/links",
      access: "signal.read",
      summary: "Banked links (URL signals in banks you may see) with their liveness: online, removed, error, unchecked",
      tags: ["links"],
      schema: {
        querystring: pageQuery(1000, {
          status: Type.Optional(StringEnum(LINK_STATES)),
          host: Type.Optional(Type.String({ maxLength: 253 })),
        }),
        response: { 200: Type.Object({ links: Type.Array(LinkView) }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const links = await s.links.list(who, {
          ...(q.status ? { status: q.status } : {}),
          ...(q.host ? { host: q.host.toLowerCase() } : {}),
          ...(q.before ? { beforeId: q.before } : {}),
          limit: q.limit ?? 100,
        });
        return { links: links.map(linkView) };
      },
    }),
    route({
      method: "GET",
      url: "/v1/links/:id",
      access: "signal.read",
      summary:
        "A banked link's liveness history (every check with its redirect chain), its alerts to you, and chains followed from it",
      tags: ["links"],
      schema: { response: { 200: LinkDetailView } },
      handler: async (req, _reply, who) => {
        const d = await s.links.detail(who, idParam(req));
        return {
          link: linkView(d.link),
          checks: d.checks.map(checkView),
          alerts: d.alerts.map((a) => ({
            id: a.id,
            org_id: a.orgId,
            item_id: a.itemId,
            alerted_at: iso(a.alertedAt)!,
          })),
          expansions: d.expansions.map(expansionView),
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/links/:id/check",
      access: "signal.write",
      summary: "Check a banked link now, whatever its schedule (409 while another worker checks it)",
      tags: ["links"],
      schema: { response: { 200: Type.Object({ link: LinkView }) } },
      handler: async (req, _reply, who) => ({ link: linkView(await s.links.checkNow(who, idParam(req))) }),
    }),
    route({
      method: "POST",
      url: "/v1/links/expand",
      access: "match.lookup",
      summary:
        "Follow a link now (shorteners and redirectors, hop by hop, public addresses only) and match every hop against your banks",
      tags: ["links"],
      schema: {
        body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
        response: { 200: LinkExpandView },
      },
      handler: async (req, _reply, who) => {
        const r = await s.links.expand(who, req.body.url);
        return {
          url: r.url,
          final_url: r.chain.finalUrl,
          error: r.chain.error,
          hops: [...r.chain.hops],
          matches: r.hops.map((h) => ({
            url: h.url,
            matches: h.matches.map((m) => ({
              signal_id: m.signalId,
              bank_id: m.bankId,
              type: m.type,
              ...("matched" in m && typeof m.matched === "string" ? { matched: m.matched } : {}),
            })),
          })),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/domains",
      access: "org.read",
      summary:
        "Your organisation's own domains: live banked links on them are alerted to you (webhook event link.alert)",
      tags: ["links"],
      schema: { response: { 200: Type.Object({ domains: Type.Array(DomainView) }) } },
      handler: async (_req, _reply, who) => ({
        domains: (await s.links.listDomains(who.orgId)).map((d) => ({
          domain: d.domain,
          created_at: iso(d.createdAt)!,
        })),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/domains",
      access: "settings.write",
      summary: "List a domain (and its subdomains) as your organisation's own; 409 when another member lists it",
      tags: ["links"],
      schema: { body: DomainParam, response: { 201: DomainView } },
      handler: async (req, reply, who) => {
        const d = await s.links.addDomain(who.orgId, req.body.domain);
        await s.access.audit(auditEntry(req, who, "domain.add", `domain:${d.domain}`, {}));
        void reply.code(201);
        return { domain: d.domain, created_at: iso(d.createdAt)! };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/domains/:domain",
      access: "settings.write",
      summary: "Take a domain off your organisation's list",
      tags: ["links"],
      schema: { params: DomainParam, response: { 204: NoContent } },
      handler: async (req, reply, who) => {
        await s.links.removeDomain(who.orgId, req.params.domain);
        await s.access.audit(auditEntry(req, who, "domain.remove", `domain:${req.params.domain}`, {}));
        void reply.code(204);
        return null;
      },
    }),
    route({
      method: "GET",
      url: "/v1/measure/links",
      access: "measure.read",
      summary:
        "Links alerted, the share of banked links offline per host and per platform, and the median time to takedown after an alert (Kaplan–Meier, 95% interval), per period",
      tags: ["measure"],
      schema: {
        querystring: Type.Object(
          {
            from: Type.Optional(Type.String({ format: "date-time" })),
            to: Type.Optional(Type.String({ format: "date-time" })),
            interval: Type.Optional(StringEnum(INTERVALS.filter((i): i is Exclude<Interval, "hour"> => i !== "hour"))),
          },
          { additionalProperties: false },
        ),
        response: { 200: LinkMeasurementView },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const to = q.to ? Date.parse(q.to) : Date.now();
        const from = q.from ? Date.parse(q.from) : to - 30 * DAY;
        if (!(from < to)) throw new RasdError("invalid", "from must be before to");
        const interval = q.interval ?? "day";
        const m = await s.links.measure(who, { from, to, interval });
        if (!m)
          throw new RasdError("invalid", `too many ${interval} periods between from and to; use a longer interval`);
        return {
          from: m.from,
          to: m.to,
          interval: m.interval,
          overall: periodView(m.overall),
          periods: m.periods.map(periodView),
          by_host: m.byHost.map((h) => ({
            host: h.host,
            checked: h.checked,
            offline: h.offline,
            share: h.share,
            share_low: h.shareLow,
            share_high: h.shareHigh,
            errors: h.errors,
            unchecked: h.unchecked,
            takedown: medianView(h.takedown),
          })),
          by_platform: m.byPlatform.map((p) => ({
            platform: p.platform,
            checked: p.checked,
            offline: p.offline,
            share: p.share,
            share_low: p.shareLow,
            share_high: p.shareHigh,
            errors: p.errors,
            unchecked: p.unchecked,
          })),
          definitions: { ...m.definitions },
        };
      },
    }),
  ];
}
