/**
 * Finding signals for the web app's bank screens: search the banks the caller may see by
 * value (a hash, a URL, part of a text — and near-copies of a text or PDQ hash through the
 * matcher), type and label; one signal with its opinions and history; giving an opinion.
 */

import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import { foldArabic } from "../../kernels/text/arabic.js";
import { OPINION_KINDS, SIGNAL_TYPES, type Signal } from "../../core/model.js";
import { matchScore, nearQueryType } from "../../signals/registry.js";
import type { Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import { idParam, route, type RouteDef } from "../route.js";
import { FoundSignalView, OpinionRetractedView, OpinionView, SignalOpinionsView } from "../schemas/banks.js";
import { StringEnum } from "../schemas/common.js";
import { iso, signalView } from "../views.js";
import { auditEntry } from "./members.js";

export function searchRoutes(s: Services): RouteDef[] {
  /** A signal in a bank the caller may see, else 404 (whether it exists or not). */
  const visibleSignal = async (who: Principal, id: number): Promise<Signal> => {
    const signal = Number.isNaN(id) ? undefined : await s.store.getSignal(id);
    if (!signal) throw new RasdError("not_found", "no such signal");
    await s.access.requireVisibleBank(who, signal.bankId).catch(() => {
      throw new RasdError("not_found", "no such signal");
    });
    return signal;
  };

  return [
    route({
      method: "GET",
      url: "/v1/signals",
      access: "signal.read",
      summary:
        "Search the banks the caller may see: q matches a value or part of one (and near-copies of a text or " +
        "PDQ hash); type, label (entity, behaviour or language) and bank_id narrow it",
      tags: ["signals"],
      schema: {
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 10_000 })),
            type: Type.Optional(StringEnum(SIGNAL_TYPES)),
            label: Type.Optional(Type.String({ maxLength: 64 })),
            bank_id: Type.Optional(Type.Integer({ minimum: 1 })),
            include_retracted: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ signals: Type.Array(FoundSignalView), truncated: Type.Boolean() }) },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const limit = q.limit ?? 100;
        const text = (q.q ?? "").trim();
        const label = (q.label ?? "").trim().toLowerCase();
        const visible = await s.access.visibleBanks(who);
        const banks = new Map(
          visible.filter((b) => q.bank_id === undefined || b.id === q.bank_id).map((b) => [b.id, b]),
        );
        const near = new Map<number, { distance?: number; similarity?: number }>();
        if (text !== "" && banks.size > 0) {
          const ids = new Set(banks.keys());
          const type = nearQueryType(text, q.type);
          const result = type === undefined ? undefined : s.matcher.match(type, text, ids);
          for (const m of result?.matches ?? []) {
            const { distance, similarity } = matchScore(m);
            near.set(m.signalId, {
              ...(distance !== undefined ? { distance } : {}),
              ...(similarity !== undefined ? { similarity } : {}),
            });
          }
        }
        // Labels are filtered here, so ask the store for more than the page.
        const rows = await s.dashboard.searchSignals({
          bankIds: [...banks.keys()],
          q: text,
          ...(q.type ? { type: q.type } : {}),
          includeRetracted: q.include_retracted ?? false,
          limit: label ? 5000 : limit,
        });
        // Arabic is searched through its spelling variants (alef forms, taa marbuta, tatweel,
        // marks: kernels/text/arabic.ts), which a substring match in the database cannot do.
        const folded = /[\u0600-\u06FF]/.test(text) ? foldArabic(text).toLowerCase() : "";
        const variants =
          folded === "" || (q.type !== undefined && q.type !== "text")
            ? []
            : (
                await s.dashboard.searchSignals({
                  bankIds: [...banks.keys()],
                  q: "",
                  type: "text",
                  includeRetracted: q.include_retracted ?? false,
                  limit: 5000,
                })
              ).filter((sig) => foldArabic(sig.value).toLowerCase().includes(folded));
        const ids = [...new Set([...near.keys(), ...rows.map((r) => r.id), ...variants.map((r) => r.id)])];
        const signals = (await s.store.getSignals(ids)).filter(
          (sig) =>
            banks.has(sig.bankId) &&
            (q.include_retracted || sig.status === "active") &&
            (!q.type || sig.type === q.type) &&
            (!label ||
              [...sig.labels.entity, ...sig.labels.behaviour, ...sig.labels.language].includes(label as never)),
        );
        signals.sort((a, b) => Number(near.has(b.id)) - Number(near.has(a.id)) || b.id - a.id);
        return {
          signals: signals.slice(0, limit).map((sig) => ({
            ...signalView(sig),
            bank_name: banks.get(sig.bankId)!.name,
            ...near.get(sig.id),
          })),
          truncated: signals.length > limit,
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/signals/:id/opinions",
      access: "signal.read",
      summary: "One signal with its bank, the members' opinions of it, and its history",
      tags: ["signals"],
      schema: { response: { 200: SignalOpinionsView } },
      handler: async (req, _reply, who) => {
        const signal = await visibleSignal(who, idParam(req));
        const bank = (await s.store.getBank(signal.bankId))!;
        const orgs = new Map((await s.store.listOrgs()).map((o) => [o.id, o.name]));
        const opinions = await s.store.listOpinions(signal.id);
        const foreign = await s.store.listForeignOpinionsOf([signal.id]);
        // What the caller's own organisation did to it (the audit log is per organisation).
        const audit = await s.access.store.listAudit(who.orgId, { target: `signal:${signal.id}`, limit: 200 });
        const history = [
          { at: signal.firstSeen, event: "first seen", by: null },
          { at: signal.createdAt, event: "added to the bank", by: orgs.get(bank.orgId) ?? null },
          { at: signal.lastSeen, event: "last seen", by: null },
          ...opinions.map((o) => ({ at: o.updatedAt, event: `opinion: ${o.kind}`, by: orgs.get(o.orgId) ?? null })),
          ...audit.map((a) => ({ at: a.at, event: a.action, by: a.actor })),
          ...(signal.status === "retracted" ? [{ at: signal.updatedAt, event: "retracted", by: null }] : []),
        ].sort((a, b) => a.at - b.at);
        return {
          signal: signalView(signal),
          bank: {
            id: bank.id,
            name: bank.name,
            org_id: bank.orgId,
            org_name: orgs.get(bank.orgId) ?? "",
            tlp: bank.tlp,
          },
          opinions: opinions.map((o) => ({
            org_id: o.orgId,
            org_name: orgs.get(o.orgId) ?? "",
            kind: o.kind,
            note: o.note,
            created_at: iso(o.createdAt),
            updated_at: iso(o.updatedAt),
          })),
          foreign_opinions: foreign.map((o) => ({
            from: o.source,
            org_name: o.orgName,
            kind: o.kind,
            note: o.note,
            updated_at: iso(o.updatedAt),
          })),
          history: history.map((h) => ({ ...h, at: iso(h.at) })),
        };
      },
    }),
    route({
      method: "POST",
      url: "/v1/signals/:id/opinions",
      access: "signal.write",
      summary: "Give (or change) the caller's organisation's opinion of a signal it may see",
      tags: ["signals"],
      schema: {
        body: Type.Object(
          { kind: StringEnum(OPINION_KINDS), note: Type.Optional(Type.String({ maxLength: 2000 })) },
          { additionalProperties: false },
        ),
        response: { 200: OpinionView },
      },
      handler: async (req, _reply, who) => {
        const signal = await visibleSignal(who, idParam(req));
        const body = req.body;
        await s.banks.opinion(signal.id, who.orgId, body.kind, body.note ?? "");
        await s.access.audit(auditEntry(req, who, "signal.opinion", `signal:${signal.id}`, { kind: body.kind }));
        const relayed = await s.exchanges.relayOpinion(signal, who.orgId, body.kind, body.note ?? "");
        return {
          signal_id: signal.id,
          org_id: who.orgId,
          kind: body.kind,
          note: body.note ?? "",
          ...(relayed ? { relayed } : {}),
        };
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/signals/:id/opinions",
      access: "signal.write",
      summary:
        "Take back the caller's organisation's opinion of a signal (a tombstone mirrors learn of; relayed to the signal's origin when it is mirrored from another rasd)",
      tags: ["signals"],
      schema: { response: { 200: OpinionRetractedView } },
      handler: async (req, _reply, who) => {
        const signal = await visibleSignal(who, idParam(req));
        await s.banks.retractOpinion(signal.id, who.orgId);
        await s.access.audit(auditEntry(req, who, "signal.opinion.retract", `signal:${signal.id}`, {}));
        const relayed = await s.exchanges.relayOpinion(signal, who.orgId, null);
        return { signal_id: signal.id, org_id: who.orgId, retracted: true, ...(relayed ? { relayed } : {}) };
      },
    }),
  ];
}
