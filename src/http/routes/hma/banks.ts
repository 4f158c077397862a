/**
 * HMA's bank routes (/c/banks, /c/bank/<name>). An HMA bank is a rasd bank. Its name is
 * unique within an organisation only, so another organisation's bank is known by a name
 * that carries its owner (HmaBankNames in common.ts). Only the organisation's own banks
 * can be changed.
 */

import { isRasdError } from "../../../core/errors.js";
import type { Bank } from "../../../core/model.js";
import { Type } from "typebox";
import { route, type RouteDef } from "../../route.js";
import { HmaBankView, HmaMessageView } from "../../schemas/hma.js";
import { auditEntry } from "../members.js";
import {
  AnyBody,
  BANK_NAME,
  BankParams,
  HMA_TLP,
  bankJson,
  fail,
  isObject,
  parseBool,
  parseRatio,
  type HmaContext,
} from "./common.js";

/** What POST /c/banks reads (pydantic's words for what is wrong, so no stricter schema). */
const NewBankBody = AnyBody("{name, enabled_ratio?, enabled?, tlp? (a rasd extension)}");
const badTlp = (): never =>
  fail(400, `tlp must be one of ${HMA_TLP.join(", ")} (RED banks are made with POST /v1/banks)`);

/** What PUT /c/bank/<name> reads. */
const BankPatchBody = AnyBody("{name?, enabled_ratio?, enabled?}");

export function hmaBankRoutes(c: HmaContext): RouteDef[] {
  const { s, findBank, visibleBank, mayChange, changeableBank, bankNames } = c;
  return [
    route({
      method: "GET",
      url: "/c/banks",
      access: "bank.read",
      summary: "HMA: the banks the caller may see",
      tags: ["hma"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(HmaBankView) } },
      handler: async (_req, _reply, who) => {
        const names = await bankNames(who);
        return names.banks.map((b) => bankJson(b, names.nameOf(b)));
      },
    }),
    route({
      method: "POST",
      url: "/c/banks",
      access: "bank.write",
      summary: "HMA: create a bank in the caller's organisation (TLP AMBER+STRICT unless tlp is given)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { body: NewBankBody, response: { 201: HmaBankView } },
      handler: async (req, reply, who) => {
        const body = req.body;
        if (!isObject(body)) fail(422, "body: Input should be a valid dictionary");
        if (body.name === undefined) fail(422, "name: Field required");
        if (typeof body.name !== "string") fail(422, "name: Input should be a valid string");
        if (!BANK_NAME.test(body.name)) fail(400, "Bank names must be UPPER_WITH_UNDERSCORE");
        // As HMA: enabled_ratio defaults to 1.0, so `enabled` counts only beside an explicit null.
        const ratio = parseRatio(body.enabled_ratio, "enabled_ratio");
        const enabled = parseBool(body.enabled, "enabled");
        const enabledRatio = ratio ?? (ratio === null && enabled !== undefined ? (enabled ? 1 : 0) : 1);
        const tlp = body.tlp === undefined ? undefined : (HMA_TLP.find((m) => m === body.tlp) ?? badTlp());
        let bank: Bank;
        try {
          bank = await s.banks.createBank({
            orgId: who.orgId,
            name: body.name,
            enabledRatio,
            ...(tlp !== undefined ? { tlp } : {}),
          });
        } catch (error) {
          if (isRasdError(error) && error.code === "conflict") fail(403, "Bank already exists");
          throw error;
        }
        s.access.invalidate();
        await s.access.audit(
          auditEntry(req, who, "bank.create", `bank:${bank.id}`, { api: "hma", name: bank.name, tlp: bank.tlp }),
        );
        void reply.status(201);
        return bankJson(bank);
      },
    }),
    route({
      method: "GET",
      url: "/c/bank/:bank_name",
      access: "bank.read",
      summary: "HMA: one bank",
      tags: ["hma"],
      hmaErrors: true,
      schema: { params: BankParams, response: { 200: HmaBankView } },
      handler: async (req, _reply, who) => bankJson(await visibleBank(who, req.params.bank_name), req.params.bank_name),
    }),
    route({
      method: "PUT",
      url: "/c/bank/:bank_name",
      access: "bank.write",
      summary: "HMA: rename a bank or change its matching_enabled_ratio",
      tags: ["hma"],
      hmaErrors: true,
      schema: { params: BankParams, body: BankPatchBody, response: { 200: HmaBankView } },
      handler: async (req, _reply, who) => {
        const body = req.body ?? {};
        if (!isObject(body)) fail(422, "body: Input should be a valid dictionary");
        const bank = await changeableBank(who, req.params.bank_name, "Bank not found");
        const name = body.name;
        if (name !== undefined && name !== null) {
          if (typeof name !== "string") fail(422, "name: Input should be a valid string");
          if (!BANK_NAME.test(name)) fail(400, "Bank names must be UPPER_WITH_UNDERSCORE");
          const taken = await s.store.getBankByName(who.orgId, name);
          if (taken && taken.id !== bank.id) fail(403, "Bank name already exists");
        }
        const enabled = parseBool(body.enabled ?? undefined, "enabled");
        const ratio = parseRatio(body.enabled_ratio, "enabled_ratio");
        const enabledRatio = ratio ?? (enabled === undefined ? undefined : enabled ? 1 : 0);
        const patch = {
          ...(typeof name === "string" ? { name } : {}),
          ...(enabledRatio !== undefined ? { enabledRatio } : {}),
        };
        const updated = Object.keys(patch).length ? await s.banks.updateBank(bank.id, patch) : bank;
        s.access.invalidate();
        await s.access.audit(auditEntry(req, who, "bank.update", `bank:${bank.id}`, { api: "hma", changes: patch }));
        return bankJson(updated);
      },
    }),
    route({
      method: "DELETE",
      url: "/c/bank/:bank_name",
      access: "bank.write",
      summary: "HMA: delete a bank (its signals become tombstones); Done even if there is no such bank",
      tags: ["hma"],
      hmaErrors: true,
      schema: { params: BankParams, response: { 200: HmaMessageView } },
      handler: async (req, _reply, who) => {
        // As HMA, a bank that is not there (or not visible, which looks the same) is "Done".
        const found = await findBank(who, req.params.bank_name);
        if (found) {
          const bank = await mayChange(who, found);
          await s.banks.deleteBank(bank.id);
          s.access.invalidate();
          await s.access.audit(auditEntry(req, who, "bank.delete", `bank:${bank.id}`, { api: "hma", name: bank.name }));
        }
        return { message: "Done" };
      },
    }),
  ];
}
