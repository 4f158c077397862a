/**
 * HMA's content routes (/c/bank/<name>/signal, /content, /content/<id>) and its signal- and
 * content-type settings. A content is one item with all its signals (a video: video_md5 and
 * vpdq), kept by services/hma-contents.ts: each add is a new content; disabling or deleting it
 * retracts the signals no other enabled content holds. `disable_until_ts` is HMA's: 1
 * enabled, 0 disabled, a later Unix time disabled until then (the database's clock).
 */

import type { FastifyRequest } from "fastify";
import type { Bank } from "../../../core/model.js";
import type { Principal } from "../../../services/access.js";
import { HMA_SIGNAL_TYPES, isHmaSignalType, signalTypeDef, type HmaSignalType } from "../../../signals/registry.js";
import { Type } from "typebox";
import { route, type RouteDef } from "../../route.js";
import { NoContent } from "../../schemas/common.js";
import {
  HmaAddedContentView,
  HmaContentTypeView,
  HmaContentView,
  HmaDeletedView,
  HmaSignalTypeView,
  HmaUpdatedContentView,
  type HmaMetadataView,
} from "../../schemas/hma.js";
import type { HmaContent, HmaContentMetadata } from "../../../storage/ports/hma.js";
import { auditEntry } from "../members.js";
import {
  AnyBody,
  BankParams,
  ContentParams,
  bankJson,
  fail,
  isObject,
  parseNote,
  parseMetadata,
  stringParams,
  type HmaContext,
} from "./common.js";
import { discard, type HmaMedia, type Media } from "./hashing.js";

/** HMA's limit on disable_until_ts: less than five years ahead. */
const FIVE_YEARS_S = 5 * 365 * 86_400;
/** HMA's content types, as rasd hashes them. */
const HMA_CONTENT_TYPES = ["photo", "video"] as const;

export function hmaContentRoutes(c: HmaContext, hashing: HmaMedia): RouteDef[] {
  const { s, canonical, visibleBank, changeableBank, contentOf, requireContent } = c;

  /** Adds signals to a bank as one new piece of HMA content. */
  const addContent = async (
    req: FastifyRequest,
    who: Principal,
    bank: Bank,
    signals: readonly [HmaSignalType, string][],
    extra: { note?: string; pdqQuality?: number; metadata?: HmaContentMetadata },
  ): Promise<HmaAddedContentView> => {
    const added = await s.hmaContents.add(
      bank.id,
      signals.map(([type, value]) => ({
        type,
        value,
        ...(signalTypeDef(type).hasQuality && extra.pdqQuality !== undefined ? { quality: extra.pdqQuality } : {}),
      })),
      { note: extra.note ?? null, metadata: extra.metadata ?? null },
    );
    const rejected = added.report.rejected[0];
    if (rejected || !added.content)
      fail(400, `Invalid ${signals[rejected?.line ?? 0]![0]} signal: ${rejected?.message ?? "not added"}`);
    await s.access.audit(
      auditEntry(req, who, "signal.add", `bank:${bank.id}`, {
        api: "hma",
        content_id: added.content.id,
        signal_ids: added.content.signalIds,
        created: added.report.created,
        updated: added.report.updated,
        reactivated: added.report.reactivated,
      }),
    );
    return { id: added.content.id, signals: Object.fromEntries(signals) };
  };

  const metadataJson = (content: HmaContent): HmaMetadataView | undefined =>
    content.metadata
      ? {
          collab: null,
          content_id: content.metadata.content_id ?? null,
          content_uri: content.metadata.content_uri ?? null,
          json: content.metadata.json ?? null,
        }
      : undefined;

  const contentJson = async (
    bank: Bank,
    name: string,
    content: HmaContent,
    include: { signals: boolean; metadata: boolean },
  ): Promise<HmaContentView> => {
    const metadata = include.metadata ? metadataJson(content) : undefined;
    const signals = include.signals
      ? Object.fromEntries((await s.hmaContents.signalsOf(content)).map((x) => [x.type, x.value]))
      : undefined;
    return {
      bank: bankJson(bank, name),
      disable_until_ts: content.disableUntilTs,
      id: content.id,
      ...(metadata ? { metadata } : {}),
      ...(content.note !== null ? { note: content.note } : {}),
      original_media_uri: null,
      ...(signals ? { signals } : {}),
    };
  };

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
        let metadata: HmaContentMetadata | undefined;
        if (url !== undefined) {
          const body: unknown = req.isMultipart() ? undefined : req.body;
          if (isObject(body)) {
            metadata = parseMetadata(body.metadata);
            note = parseNote(body.note);
          }
          media = await hashing.fetchMedia(url, content_type);
        } else if (req.isMultipart()) {
          media = await hashing.readUpload(req);
          try {
            metadata = parseMetadata(media.fields.metadata, true);
            note = parseNote(media.fields.note);
          } catch (error) {
            await discard(media);
            throw error;
          }
        } else {
          fail(400, "Neither `url` nor multipart file upload was received");
        }
        const hashed = await hashing.hashOf(media, types, await c.disabledTypes(who));
        const signals: [HmaSignalType, string][] = [];
        for (const [type, hash] of Object.entries(hashed.hashes) as [HmaSignalType, string][])
          signals.push([type, canonical(type, hash, `Invalid ${type} signal: `)]);
        if (signals.length === 0) fail(400, "No signals given");
        return addContent(req, who, bank, signals, {
          ...(note !== undefined ? { note } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
          ...(hashed.pdqQuality !== undefined ? { pdqQuality: hashed.pdqQuality } : {}),
        });
      },
    }),
    route({
      method: "GET",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.read",
      summary:
        "HMA: one piece of content; include_signals=true adds its signals, include_metadata=false leaves out its metadata",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: ContentParams,
        querystring: stringParams("include_signals", "include_metadata"),
        response: { 200: HmaContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await visibleBank(who, req.params.bank_name);
        const content = await requireContent(req, bank);
        return contentJson(bank, req.params.bank_name, content, {
          signals: (req.query.include_signals ?? "false").toLowerCase() === "true",
          metadata: (req.query.include_metadata ?? "true").toLowerCase() === "true",
        });
      },
    }),
    route({
      method: "PUT",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.write",
      summary:
        "HMA: disable (disable_until_ts 0), enable (1) or disable until a Unix time (the database's clock) content, or change its note",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: ContentParams,
        body: AnyBody("{disable_until_ts?: 0, 1 or a Unix time, note?}"),
        response: { 200: HmaUpdatedContentView },
      },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const content = await requireContent(req, bank);
        const body = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        let disable: number | undefined;
        if ("disable_until_ts" in body) {
          const raw = body.disable_until_ts;
          disable =
            typeof raw === "number" && Number.isInteger(raw)
              ? raw
              : typeof raw === "string" && /^\s*[-+]?\d+\s*$/.test(raw)
                ? Number(raw)
                : fail(400, `Invalid int: '${String(raw)}'`);
          if (disable < 0) fail(400, "disable_until_ts must be a non-negative integer");
          if (disable > (await s.hmaContents.store.nowSeconds()) + FIVE_YEARS_S)
            fail(400, "disable_until_ts must be less than 5 years in the future");
        }
        const note = "note" in body ? (parseNote(body.note) ?? null) : undefined;
        const updated = await s.hmaContents.update(content, {
          ...(disable !== undefined ? { disableUntilTs: disable } : {}),
          ...(note !== undefined ? { note } : {}),
        });
        await s.access.audit(
          auditEntry(req, who, "signal.update", `hma_content:${content.id}`, {
            api: "hma",
            signal_ids: updated.signalIds,
            disable_until_ts: updated.disableUntilTs,
            ...(note !== undefined ? { note } : {}),
          }),
        );
        return {
          bank: bankJson(bank, req.params.bank_name),
          collab_metadata: {},
          disable_until_ts: updated.disableUntilTs,
          id: updated.id,
          note: updated.note,
          original_media_uri: null,
          user_metadata: updated.metadata ? { ...updated.metadata } : null,
        };
      },
    }),
    route({
      method: "DELETE",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.write",
      summary:
        "HMA: delete content: its signals no other enabled content holds are retracted (tombstones that mirrors learn of)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { params: ContentParams, response: { 200: HmaDeletedView } },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, req.params.bank_name);
        const content = await contentOf(req, bank);
        if (!content || !(await s.hmaContents.delete(content))) return { deleted: 0 };
        await s.access.audit(
          auditEntry(req, who, "signal.retract", `hma_content:${content.id}`, {
            api: "hma",
            signal_ids: content.signalIds,
          }),
        );
        return { deleted: 1 };
      },
    }),
    route({
      method: "GET",
      url: "/c/signal_type",
      access: "bank.read",
      summary: "HMA: the signal types rasd offers through this API, with the caller's organisation's enabled_ratio",
      tags: ["hma"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(HmaSignalTypeView) } },
      handler: async (_req, _reply, who) => {
        const settings = await s.hmaContents.store.signalTypeSettings(who.orgId);
        return HMA_SIGNAL_TYPES.map((name) => ({ enabled_ratio: settings[name] ?? 1.0, name }));
      },
    }),
    route({
      method: "PUT",
      url: "/c/signal_type/:signal_type_name",
      access: "settings.write",
      summary:
        "HMA: set a signal type's enabled_ratio for the caller's organisation (0 disables it in its hashing and lookups)",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        params: Type.Object({ signal_type_name: Type.String() }),
        body: AnyBody("{enabled_ratio: 0.0..1.0}"),
        response: { 204: NoContent },
      },
      handler: async (req, reply, who) => {
        const body = req.body;
        const name = req.params.signal_type_name;
        if (!isObject(body) || body.enabled_ratio === undefined || body.enabled_ratio === null)
          fail(400, "enabled_ratio is required");
        const raw = body.enabled_ratio;
        const ratio = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
        if (!Number.isFinite(ratio)) fail(400, `Invalid float: '${String(raw)}'`);
        if (ratio < 0 || ratio > 1) fail(400, "enabled_ratio must be between 0.0 and 1.0");
        if (!isHmaSignalType(name)) fail(404, `No such signal type '${name}'`);
        await s.hmaContents.store.setSignalTypeSetting(who.orgId, name, ratio);
        await s.access.audit(
          auditEntry(req, who, "hma.signal_type", `signal_type:${name}`, { api: "hma", enabled_ratio: ratio }),
        );
        void reply.status(204);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/c/content_type",
      access: "bank.read",
      summary: "HMA: the content types rasd hashes (photo, video), all enabled",
      tags: ["hma"],
      hmaErrors: true,
      schema: { response: { 200: Type.Array(HmaContentTypeView) } },
      handler: () => Promise.resolve(HMA_CONTENT_TYPES.map((name) => ({ enabled: true, name }))),
    }),
  ];
}
