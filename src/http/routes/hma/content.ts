/**
 * HMA's content routes (/c/bank/<name>/signal, /content, /content/<id>) and its signal
 * types. HMA content is one rasd signal: content id = signal id. Content that hashes to
 * several signals (a video: video_md5 and vpdq) becomes several signals, and the id
 * returned is the first one's. `disable_until_ts` is 1 for an active signal and 0 for a
 * retracted one; a content's `note` is kept as the signal's `source`.
 */

import type { FastifyRequest } from "fastify";
import type { Bank, Signal } from "../../../core/model.js";
import type { Principal } from "../../../services/access.js";
import { HMA_SIGNAL_TYPES, isHmaSignalType, signalTypeDef, type HmaSignalType } from "../../../signals/registry.js";
import { Type } from "typebox";
import { route, type RouteDef } from "../../route.js";
import {
  HmaAddedContentView,
  HmaContentView,
  HmaDeletedView,
  HmaSignalTypeView,
  HmaUpdatedContentView,
} from "../../schemas/hma.js";
import { auditEntry } from "../members.js";
import {
  AnyBody,
  BankParams,
  ContentParams,
  bankJson,
  fail,
  isObject,
  parseNote,
  refuseMetadata,
  stringParams,
  type HmaContext,
} from "./common.js";
import { discard, type HmaMedia, type Media } from "./hashing.js";

export function hmaContentRoutes(c: HmaContext, hashing: HmaMedia): RouteDef[] {
  const { s, canonical, visibleBank, changeableBank, contentOf, requireContent } = c;

  /** Adds signals to a bank as one piece of HMA content; answers with the first signal's id. */
  const addContent = async (
    req: FastifyRequest,
    who: Principal,
    bank: Bank,
    signals: readonly [HmaSignalType, string][],
    extra: { note?: string; pdqQuality?: number },
  ): Promise<HmaAddedContentView> => {
    const report = await s.banks.addSignals(
      bank.id,
      signals.map(([type, value], line) => ({
        line,
        raw: {
          type,
          value,
          ...(extra.note !== undefined ? { source: extra.note } : {}),
          ...(signalTypeDef(type).hasQuality && extra.pdqQuality !== undefined ? { quality: extra.pdqQuality } : {}),
        },
      })),
    );
    const rejected = report.rejected[0];
    if (rejected) fail(400, `Invalid ${signals[rejected.line]![0]} signal: ${rejected.message}`);
    const ids: number[] = [];
    for (const [type, value] of signals) {
      const found = (await s.store.findSignals(type, value)).find((x) => x.bankId === bank.id);
      if (found) ids.push(found.id);
    }
    await s.access.audit(
      auditEntry(req, who, "signal.add", `bank:${bank.id}`, {
        api: "hma",
        signal_ids: ids,
        created: report.created,
        updated: report.updated,
        reactivated: report.reactivated,
      }),
    );
    return { id: ids[0]!, signals: Object.fromEntries(signals) };
  };

  const contentJson = (bank: Bank, name: string, signal: Signal, includeSignals: boolean): HmaContentView => ({
    bank: bankJson(bank, name),
    disable_until_ts: signal.status === "active" ? 1 : 0,
    id: signal.id,
    ...(signal.source ? { note: signal.source } : {}),
    original_media_uri: null,
    ...(includeSignals ? { signals: { [signal.type]: signal.value } } : {}),
  });

  return [
    route({
      method: "POST",
      url: "/c/bank/:bank_name/signal",
      access: "signal.write",
      summary: 'HMA: add content by its signals, e.g. {"pdq": "<64 hex>", "note": "..."}',
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: BankParams,
        body: AnyBody('Signal type → value, and an optional note, e.g. {"pdq": "<64 hex>", "note": "..."}'),
        response: { 200: HmaAddedContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const body = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        const { note, ...given } = body;
        const text = parseNote(note);
        if (Object.keys(given).length === 0) fail(400, "No signals given");
        const signals: [HmaSignalType, string][] = [];
        for (const [name, value] of Object.entries(given)) {
          if (!isHmaSignalType(name)) fail(400, `No such signal type ${name}`);
          signals.push([name, canonical(name, value, `Invalid ${name} signal: `)]);
        }
        return addContent(req, who, bank, signals, text !== undefined ? { note: text } : {});
      },
    }),
    route({
      method: "POST",
      url: "/c/bank/:bank_name/content",
      access: "signal.write",
      summary: "HMA: hash media (?url= or one file part named photo or video) and add its signals",
      tags: ["hma"],
      hmaErrors: true,
      multipart: true,
      schema: {
        params: BankParams,
        querystring: stringParams("url", "content_type", "types"),
        response: { 200: HmaAddedContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const { url, content_type, types } = req.query;
        let media: Media;
        let note: string | undefined;
        if (url !== undefined) {
          const body: unknown = req.isMultipart() ? undefined : req.body;
          if (isObject(body)) {
            refuseMetadata(body.metadata);
            note = parseNote(body.note);
          }
          media = await hashing.fetchMedia(url, content_type);
        } else if (req.isMultipart()) {
          media = await hashing.readUpload(req);
          try {
            refuseMetadata(media.fields.metadata);
            note = parseNote(media.fields.note);
          } catch (error) {
            await discard(media);
            throw error;
          }
        } else {
          fail(400, "Neither `url` nor multipart file upload was received");
        }
        const hashed = await hashing.hashOf(media, types);
        const signals: [HmaSignalType, string][] = [];
        for (const [type, hash] of Object.entries(hashed.hashes) as [HmaSignalType, string][])
          signals.push([type, canonical(type, hash, `Invalid ${type} signal: `)]);
        if (signals.length === 0) fail(400, "No signals given");
        return addContent(req, who, bank, signals, {
          ...(note !== undefined ? { note } : {}),
          ...(hashed.pdqQuality !== undefined ? { pdqQuality: hashed.pdqQuality } : {}),
        });
      },
    }),
    route({
      method: "GET",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.read",
      summary: "HMA: one piece of content (a rasd signal); include_signals=true adds its value",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: ContentParams,
        querystring: stringParams("include_signals", "include_metadata"),
        response: { 200: HmaContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await visibleBank(who, req.params.bank_name);
        const signal = await requireContent(req, bank);
        return contentJson(bank, req.params.bank_name, signal, req.query.include_signals === "true");
      },
    }),
    route({
      method: "PUT",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.write",
      summary: "HMA: disable (disable_until_ts 0) or enable (1) content, or change its note",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: ContentParams,
        body: AnyBody("{disable_until_ts?: 0 or 1, note?}"),
        response: { 200: HmaUpdatedContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const signal = await requireContent(req, bank);
        const body = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        let disable: number | undefined;
        if (body.disable_until_ts !== undefined && body.disable_until_ts !== null) {
          const raw = body.disable_until_ts;
          disable =
            typeof raw === "number" && Number.isFinite(raw)
              ? Math.trunc(raw)
              : typeof raw === "string" && /^\s*[-+]?\d+\s*$/.test(raw)
                ? Number(raw)
                : fail(400, `Invalid int: '${String(raw)}'`);
          if (disable < 0) fail(400, "disable_until_ts must be a non-negative integer");
          if (disable > 1)
            fail(
              400,
              "disable_until_ts: rasd supports 0 (disabled: the signal is retracted) and 1 (enabled) only, not disabling until a time",
            );
        }
        const note = parseNote(body.note);
        const enable = disable === undefined ? signal.status === "active" : disable === 1;
        // Re-adding the same signal re-enables it (and sets a new note); retracting disables it.
        if (note !== undefined || (enable && signal.status !== "active"))
          await s.banks.addSignals(bank.id, [
            {
              line: 0,
              raw: { type: signal.type, value: signal.value, ...(note !== undefined ? { source: note } : {}) },
            },
          ]);
        if (!enable && (note !== undefined || signal.status === "active")) await s.banks.retract(signal.id);
        const updated = (await s.store.getSignal(signal.id)) ?? signal;
        await s.access.audit(
          auditEntry(req, who, "signal.update", `signal:${signal.id}`, {
            api: "hma",
            status: updated.status,
            ...(note !== undefined ? { note } : {}),
          }),
        );
        return {
          bank: bankJson(bank, req.params.bank_name),
          collab_metadata: {},
          disable_until_ts: updated.status === "active" ? 1 : 0,
          id: updated.id,
          note: updated.source || null,
          original_media_uri: null,
          user_metadata: null,
        };
      },
    }),
    route({
      method: "DELETE",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.write",
      summary: "HMA: delete content: its signal is retracted (a tombstone that mirrors learn of)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { params: ContentParams, response: { 200: HmaDeletedView } },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const signal = await contentOf(req, bank);
        if (!signal || signal.status !== "active") return { deleted: 0 };
        await s.banks.retract(signal.id);
        await s.access.audit(auditEntry(req, who, "signal.retract", `signal:${signal.id}`, { api: "hma" }));
        return { deleted: 1 };
      },
    }),
    route({
      method: "GET",
      url: "/c/signal_type",
      access: "bank.read",
      summary: "HMA: the signal types rasd offers through this API (all enabled)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(HmaSignalTypeView) } },
      handler: async () => HMA_SIGNAL_TYPES.map((name) => ({ enabled_ratio: 1.0, name })),
    }),
  ];
}
