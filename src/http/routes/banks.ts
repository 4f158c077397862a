/** Banks, their signals, sharing, and direct lookups against visible banks. */

import { RasdError } from "../../core/errors.js";
import { Type, type Static } from "typebox";
import { SIGNAL_TYPES, TLP_MARKINGS, type Bank, type Signal, type Tlp } from "../../core/model.js";
import { isSignalType, signalTypeDef } from "../../signals/registry.js";
import { PDQ_MAX_THRESHOLD } from "../../signals/types/pdq.js";
import { canChangeBank } from "../../core/sharing.js";
import type { Principal } from "../../services/access.js";
import type { Services } from "../../server/services.js";
import type { BankPatch } from "../../storage/store.js";
import { idParam, route, type RouteDef } from "../route.js";
import {
  BankView,
  MatchResponse,
  SignalPage,
  SignalReport,
  SignalReportOrError,
  SignalView,
} from "../schemas/banks.js";
import { NoContent, StringEnum, StringOrInteger } from "../schemas/common.js";
import { bankView, signalView } from "../views.js";
import { auditEntry } from "./members.js";

const idList = () => Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 200 }));
const bankFields = {
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  action_hint: Type.Optional(Type.String({ maxLength: 200 })),
  tlp: Type.Optional(StringEnum(TLP_MARKINGS)),
  negative: Type.Optional(Type.Boolean()),
  pdq_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: PDQ_MAX_THRESHOLD })),
  pdq_min_quality: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  text_min_similarity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
  account_min_score: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      description: "The score a ban-evasion (account) match against this bank needs; default 0.7",
    }),
  ),
  enabled_ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  share_with_org_ids: idList(),
  reader_person_ids: idList(),
  /** Organisations named as recipients of an AMBER+STRICT bank (TLP 2.0; decision 0029). */
  recipient_org_ids: idList(),
};
const bankName = Type.String({ minLength: 1, maxLength: 80 });
const NewBankBody = Type.Object({ name: bankName, ...bankFields }, { additionalProperties: false });
const BankPatchBody = Type.Object({ name: Type.Optional(bankName), ...bankFields }, { additionalProperties: false });
type BankBody = Static<typeof BankPatchBody>;

const NewSignalsBody = Type.Object(
  {
    signals: Type.Array(
      Type.Object(
        {
          type: StringEnum(SIGNAL_TYPES),
          value: Type.String({ minLength: 1, maxLength: 200_000 }),
          labels: Type.Optional(
            Type.Object(
              {
                entity: Type.Optional(Type.Array(Type.String())),
                behaviour: Type.Optional(Type.Array(Type.String())),
                language: Type.Optional(Type.Array(Type.String())),
              },
              { additionalProperties: false },
            ),
          ),
          confidence: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          source: Type.Optional(Type.String({ maxLength: 500 })),
          quality: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          first_seen: Type.Optional(StringOrInteger()),
          last_seen: Type.Optional(StringOrInteger()),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

function patchOf(b: BankBody): BankPatch {
  return {
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.description !== undefined ? { description: b.description } : {}),
    ...(b.action_hint !== undefined ? { actionHint: b.action_hint } : {}),
    ...(b.tlp !== undefined ? { tlp: b.tlp } : {}),
    ...(b.negative !== undefined ? { negative: b.negative } : {}),
    ...(b.pdq_threshold !== undefined ? { pdqThreshold: b.pdq_threshold } : {}),
    ...(b.pdq_min_quality !== undefined ? { pdqMinQuality: b.pdq_min_quality } : {}),
    ...(b.text_min_similarity !== undefined ? { textMinSimilarity: b.text_min_similarity } : {}),
    ...(b.account_min_score !== undefined ? { accountMinScore: b.account_min_score } : {}),
    ...(b.enabled_ratio !== undefined ? { enabledRatio: b.enabled_ratio } : {}),
  };
}

export function bankRoutes(s: Services): RouteDef[] {
  /** The bank if the caller may see it, else 404. */
  const visible = async (who: Principal, raw: number): Promise<Bank> => {
    if (Number.isNaN(raw)) throw new RasdError("not_found", "no such bank");
    return s.access.requireVisibleBank(who, raw);
  };
  /** A signal in a bank the caller may see, else 404 (whether it exists or not). */
  const visibleSignal = async (who: Principal, id: number): Promise<Signal> => {
    const signal = Number.isNaN(id) ? undefined : await s.store.getSignal(id);
    if (!signal) throw new RasdError("not_found", "no such signal");
    await visible(who, signal.bankId).catch(() => {
      throw new RasdError("not_found", "no such signal");
    });
    return signal;
  };
  /** The bank if the caller may change it: 404 if invisible, 403 if visible but not theirs. */
  const changeable = async (who: Principal, raw: number): Promise<Bank> => {
    const bank = await visible(who, raw);
    if (!canChangeBank(who, bank, await s.access.sharingOf(bank.id)))
      throw new RasdError(
        "auth.forbidden",
        `bank ${bank.id} belongs to another organisation; only its own curators may change it`,
      );
    return bank;
  };
  /** Checked before anything is written, so a refused request changes nothing. */
  const checkSharing = async (body: BankBody): Promise<void> => {
    for (const id of body.share_with_org_ids ?? [])
      if (!(await s.store.getOrg(id)))
        throw new RasdError("invalid", `share_with_org_ids: no organisation with id ${id}`);
    for (const id of body.recipient_org_ids ?? [])
      if (!(await s.store.getOrg(id)))
        throw new RasdError("invalid", `recipient_org_ids: no organisation with id ${id}`);
    for (const id of body.reader_person_ids ?? [])
      if (!(await s.access.store.getPerson(id)))
        throw new RasdError("invalid", `reader_person_ids: no person with id ${id}`);
  };
  const setSharing = async (who: Principal, bank: Bank, body: BankBody): Promise<void> => {
    if (body.recipient_org_ids !== undefined) {
      await s.access.store.setRecipients(bank.id, body.recipient_org_ids);
      s.access.invalidate();
    }
    if (body.share_with_org_ids === undefined && body.reader_person_ids === undefined && bank.tlp !== "RED") return;
    const current = await s.access.sharingOf(bank.id);
    const orgs = body.share_with_org_ids ?? [...current.orgs];
    const people = new Set(body.reader_person_ids ?? [...current.people]);
    // Whoever marks a bank RED stays able to read it.
    if (bank.tlp === "RED") people.add(who.personId);
    await s.access.store.setSharing(bank.id, orgs, [...people]);
    s.access.invalidate();
  };
  const view = async (who: Principal, b: Bank) => bankView(b, await s.access.sharingOf(b.id), b.orgId === who.orgId);

  return [
    route({
      method: "GET",
      url: "/v1/banks",
      access: "bank.read",
      summary: "Banks the caller may see (its own and those shared with it)",
      tags: ["banks"],
      schema: { response: { 200: Type.Object({ banks: Type.Array(BankView) }) } },
      handler: async (_req, _reply, who) => ({
        banks: await Promise.all((await s.access.visibleBanks(who)).map((b) => view(who, b))),
      }),
    }),
    route({
      method: "POST",
      url: "/v1/banks",
      access: "bank.write",
      summary:
        "Create a bank (marked with the organisation's default TLP, GET /v1/sharing-defaults, unless marked " +
        "otherwise; AMBER+STRICT when it set none)",
      tags: ["banks"],
      schema: { body: NewBankBody, response: { 201: BankView } },
      handler: async (req, reply, who) => {
        const body = req.body;
        await checkSharing(body);
        // No marking named: the organisation's default (PUT /v1/sharing-defaults), else AMBER+STRICT.
        const fallback = body.tlp === undefined ? (await s.access.store.getOrgDefaults(who.orgId)).tlp : null;
        const bank = await s.banks.createBank({
          orgId: who.orgId,
          ...patchOf(body),
          ...(fallback ? { tlp: fallback as Tlp } : {}),
          name: body.name,
        });
        await setSharing(who, bank, body);
        s.access.invalidate();
        await s.access.audit(
          auditEntry(req, who, "bank.create", `bank:${bank.id}`, { name: bank.name, tlp: bank.tlp }),
        );
        void reply.status(201);
        return view(who, bank);
      },
    }),
    route({
      method: "GET",
      url: "/v1/banks/:id",
      access: "bank.read",
      summary: "One bank",
      tags: ["banks"],
      schema: { response: { 200: BankView } },
      handler: async (req, _reply, who) => view(who, await visible(who, idParam(req))),
    }),
    route({
      method: "PATCH",
      url: "/v1/banks/:id",
      access: "bank.write",
      summary: "Change a bank's settings, marking or sharing",
      tags: ["banks"],
      schema: { body: BankPatchBody, response: { 200: BankView } },
      handler: async (req, _reply, who) => {
        const body = req.body;
        const bank = await changeable(who, idParam(req));
        await checkSharing(body);
        const updated = await s.banks.updateBank(bank.id, patchOf(body));
        await setSharing(who, updated, body);
        s.access.invalidate();
        await s.access.audit(auditEntry(req, who, "bank.update", `bank:${bank.id}`, { changes: body }));
        return view(who, updated);
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/banks/:id",
      access: "bank.write",
      summary: "Delete a bank (its signals become tombstones)",
      tags: ["banks"],
      schema: { response: { 204: NoContent } },
      handler: async (req, reply, who) => {
        const bank = await changeable(who, idParam(req));
        await s.banks.deleteBank(bank.id);
        s.access.invalidate();
        await s.access.audit(auditEntry(req, who, "bank.delete", `bank:${bank.id}`, { name: bank.name }));
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/v1/banks/:id/signals",
      access: "signal.read",
      summary: "A bank's signals, a page at a time (after=<last id>)",
      tags: ["signals"],
      schema: {
        querystring: Type.Object(
          {
            after: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            include_retracted: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: SignalPage },
      },
      handler: async (req, _reply, who) => {
        const q = req.query;
        const bank = await visible(who, idParam(req));
        const signals = await s.store.listSignals(bank.id, {
          afterId: q.after ?? 0,
          limit: q.limit ?? 100,
          includeRetracted: q.include_retracted ?? false,
        });
        return { signals: signals.map(signalView), next_after: signals.at(-1)?.id ?? null };
      },
    }),
    route({
      method: "POST",
      url: "/v1/banks/:id/signals",
      access: "signal.write",
      summary: "Add signals to a bank; each bad one is reported by index, the rest land",
      tags: ["signals"],
      schema: { body: NewSignalsBody, response: { 200: SignalReport, 400: SignalReportOrError } },
      handler: async (req, reply, who) => {
        const bank = await changeable(who, idParam(req));
        const body = req.body;
        const report = await s.banks.addSignals(
          bank.id,
          body.signals.map((raw, i) => ({ line: i, raw })),
        );
        await s.access.audit(
          auditEntry(req, who, "signal.add", `bank:${bank.id}`, {
            created: report.created,
            updated: report.updated,
            reactivated: report.reactivated,
            rejected: report.rejected.length,
          }),
        );
        void reply.status(
          report.rejected.length && !report.created && !report.updated && !report.reactivated ? 400 : 200,
        );
        return {
          created: report.created,
          updated: report.updated,
          reactivated: report.reactivated,
          rejected: report.rejected.map((r) => ({ index: r.line, message: r.message })),
        };
      },
    }),
    route({
      method: "GET",
      url: "/v1/signals/:id",
      access: "signal.read",
      summary: "One signal",
      tags: ["signals"],
      schema: { response: { 200: SignalView } },
      handler: async (req, _reply, who) => {
        return signalView(await visibleSignal(who, idParam(req)));
      },
    }),
    route({
      method: "DELETE",
      url: "/v1/signals/:id",
      access: "signal.write",
      summary: "Retract a signal (it stays as a tombstone so that mirrors learn of it)",
      tags: ["signals"],
      schema: { response: { 200: SignalView } },
      handler: async (req, _reply, who) => {
        const signal = await visibleSignal(who, idParam(req));
        await changeable(who, signal.bankId);
        const retracted = await s.banks.retract(signal.id);
        await s.access.audit(auditEntry(req, who, "signal.retract", `signal:${signal.id}`));
        return signalView(retracted);
      },
    }),
    route({
      method: "POST",
      url: "/v1/match",
      access: "match.lookup",
      summary:
        "Match one value (pdq, md5, sha256, video_md5, url, url_md5 or text) against the banks the caller may see",
      tags: ["matching"],
      schema: {
        body: Type.Object(
          {
            type: StringEnum(["pdq", "md5", "sha256", "video_md5", "url", "url_md5", "text"] as const),
            value: Type.String({ minLength: 1, maxLength: 100_000 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: MatchResponse },
      },
      handler: async (req, _reply, who) => {
        const { type, value } = req.body;
        const banks = await s.access.visibleBankIds(who);
        // The schema's enum admits only registered types.
        if (!isSignalType(type)) throw new RasdError("invalid", `type: "${type}" is not a signal type`);
        const result = s.matcher.match(type, signalTypeDef(type).lookupValue(value), banks);
        // A match on a signal fetched from elsewhere (an exchange's bank) names where it came from.
        const mirrored = new Set(await s.stores.exchanges.bankIds());
        const matches = await Promise.all(
          result.matches.map(async (m) =>
            mirrored.has(m.bankId) ? { ...m, origin: (await s.store.getSignal(m.signalId))?.source ?? "" } : m,
          ),
        );
        return { matches, suppressed_by: result.suppressedBy };
      },
    }),
  ];
}
