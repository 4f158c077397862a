/**
 * HMA's /m routes: look up a signal or media among the banks the caller may see (with
 * HMA's coin flip per bank), compare pairs of hashes, and the index status. Lookups leave
 * out what rasd's allow-list (negative) banks suppress; raw_lookup does not.
 */

import type { FastifyReply } from "fastify";
import { pythonSeededRandom } from "../../../kernels/python/random.js";
import type { Principal } from "../../../services/access.js";
import type { Match } from "../../../services/matcher.js";
import {
  HMA_SIGNAL_TYPES,
  hmaDef,
  hmaDistance,
  isHmaSignalType,
  type HmaSignalType,
} from "../../../signals/registry.js";
import { route, type RouteDef } from "../../route.js";
import { HmaErrorBody } from "../../schemas/common.js";
import {
  HmaCompareView,
  HmaIndexStatusView,
  HmaLookupAnswer,
  HmaLookupByType,
  HmaRawLookupView,
  type HmaLookupResult as LookupResult,
} from "../../schemas/hma.js";
import { AnyBody, bankFilter, fail, isObject, parseBool, required, stringParams, type HmaContext } from "./common.js";
import type { Hashed, HmaMedia } from "./hashing.js";

/** A lookup before its index is loaded: 503 `{"message": "index not yet ready"}`. */
const NOT_READY = 503;

export function hmaMatchingRoutes(c: HmaContext, media: HmaMedia): RouteDef[] {
  const { s, canonical, signalType, bankNames } = c;

  /** Index matches of one signal among `banks`, of that type only (HMA has one index per type). */
  const matchSignal = (type: HmaSignalType, value: string, banks: ReadonlySet<number>, quality = 100): Match[] => {
    const answers = hmaDef(type).answers;
    return s.matcher.match(type, value, banks, { quality }).matches.filter((x) => answers.includes(x.type));
  };

  /** The enabled contents holding each matched signal (HMA answers content ids, one per content). */
  const contentIds = (matches: readonly Match[]): Promise<Map<number, number[]>> =>
    s.hmaContents.contentIdsOf(matches.map((m) => ({ id: m.signalId, bankId: m.bankId, status: "active" as const })));

  /** HMA's coin flip: one per request; a bank takes part when its ratio ≥ the flip. */
  const coinflip = (seed: string | undefined): number => {
    return seed === undefined ? Math.random() : pythonSeededRandom(seed);
  };

  /** HMA's lookup(): matches grouped by bank name, among the banks the caller may see. */
  const lookup = async (
    who: Principal,
    type: HmaSignalType,
    value: string,
    options: { banks: Set<string> | undefined; coinflip: number; quality?: number },
  ): Promise<LookupResult> => {
    const names = await bankNames(who);
    const banks = new Map(
      names.banks
        .filter((b) => b.enabledRatio >= options.coinflip && (!options.banks || options.banks.has(names.nameOf(b))))
        .map((b) => [b.id, b]),
    );
    const out: LookupResult = {};
    // An allow-list match is no reason to act: HMA clients would act on anything listed.
    const matches = matchSignal(type, value, new Set(banks.keys()), options.quality).filter(
      (m) => !m.suppressed && banks.get(m.bankId)?.negative === false,
    );
    const contents = await contentIds(matches);
    for (const m of matches) {
      const bank = banks.get(m.bankId)!;
      for (const id of contents.get(m.signalId) ?? [])
        (out[names.nameOf(bank)] ??= []).push({ bank_content_id: id, distance: hmaDistance(m) });
    }
    return out;
  };

  const lookupAll = async (
    who: Principal,
    hashed: Hashed,
    options: { banks: Set<string> | undefined; coinflip: number },
  ): Promise<Record<string, LookupResult>> => {
    const out: Record<string, LookupResult> = {};
    for (const [type, hash] of Object.entries(hashed.hashes) as [HmaSignalType, string][]) {
      const value = canonical(type, hash, "invalid signal: ");
      out[type] = await lookup(who, type, value, { ...options, quality: hashed.pdqQuality ?? 100 });
    }
    return out;
  };

  const notReady = (reply: FastifyReply): { message: string } | undefined => {
    if (s.matcher.ready) return undefined;
    void reply.status(NOT_READY);
    return { message: "index not yet ready" };
  };

  return [
    route({
      method: "GET",
      url: "/m/raw_lookup",
      access: "match.lookup",
      summary: "HMA: content ids matching a signal, in the banks the caller may see (no coin flip)",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        querystring: stringParams("signal", "signal_type", "banks", "include_distance"),
        response: { 200: HmaRawLookupView, [NOT_READY]: HmaErrorBody },
      },
      handler: async (req, reply, who) => {
        const signal = required(req.query.signal, "signal");
        const type = await c.enabledSignalType(who, required(req.query.signal_type, "signal_type"));
        const withDistance = parseBool(req.query.include_distance, "include_distance") ?? false;
        const value = canonical(type, signal, "invalid signal: ");
        const busy = notReady(reply);
        if (busy) return busy;
        const only = bankFilter(req.query.banks);
        const names = await bankNames(who);
        const banks = new Set(names.banks.filter((b) => !only || only.has(names.nameOf(b))).map((b) => b.id));
        const matches = matchSignal(type, value, banks);
        const contents = await contentIds(matches);
        const found = matches.flatMap((m) => (contents.get(m.signalId) ?? []).map((id) => ({ id, m })));
        return {
          matches: withDistance
            ? found.map(({ id, m }) => ({ bank_content_id: id, distance: hmaDistance(m) }))
            : found.map(({ id }) => id),
        };
      },
    }),
    route({
      method: "GET",
      url: "/m/lookup",
      access: "match.lookup",
      summary: "HMA: matches by bank for a signal (signal + signal_type) or the media at a URL",
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        querystring: stringParams("url", "content_type", "types", "signal", "signal_type", "banks", "seed"),
        response: { 200: HmaLookupAnswer, [NOT_READY]: HmaErrorBody },
      },
      handler: async (req, reply, who) => {
        const { url, signal, signal_type: typeName } = req.query;
        // HMA's GET lookup always flips the coin (bypass_coinflip is honoured by POST only).
        const options = { banks: bankFilter(req.query.banks), coinflip: coinflip(req.query.seed) };
        if (url !== undefined) {
          const fetched = await media.fetchMedia(url, req.query.content_type);
          const hashed = await media.hashOf(fetched, req.query.types, await c.disabledTypes(who));
          const busy = notReady(reply);
          if (busy) return busy;
          const all = await lookupAll(who, hashed, options);
          return typeName === undefined ? all : (all[typeName] ?? {});
        }
        if (signal === undefined || typeName === undefined)
          fail(400, "Either url or both signal and signal_type are required");
        const type = await c.enabledSignalType(who, typeName);
        const value = canonical(type, signal, "invalid signal: ");
        return notReady(reply) ?? lookup(who, type, value, options);
      },
    }),
    route({
      method: "POST",
      url: "/m/lookup",
      access: "match.lookup",
      summary: "HMA: matches by signal type and bank for an uploaded file (one part named photo or video)",
      tags: ["hma"],
      hmaErrors: true,
      multipart: true,
      schema: {
        querystring: stringParams("types", "banks", "seed", "bypass_coinflip"),
        response: { 200: HmaLookupByType, [NOT_READY]: HmaErrorBody },
      },
      handler: async (req, reply, who) => {
        const upload = await media.readUpload(req);
        const hashed = await media.hashOf(upload, req.query.types, await c.disabledTypes(who));
        const busy = notReady(reply);
        if (busy) return busy;
        const bypass = req.query.bypass_coinflip === "true";
        const flip = bypass ? 0 : coinflip(req.query.seed);
        return lookupAll(who, hashed, { banks: bankFilter(req.query.banks), coinflip: flip });
      },
    }),
    route({
      method: "POST",
      url: "/m/compare",
      access: "match.lookup",
      summary: 'HMA: compare pairs of hashes, e.g. {"pdq": [a, b]} → {"pdq": [true, {"distance": 9}]}',
      tags: ["hma"],
      hmaErrors: true,
      schema: {
        body: AnyBody('Signal type → two hashes, e.g. {"pdq": ["<64 hex>", "<64 hex>"]}'),
        response: { 200: HmaCompareView },
      },
      handler: async (req) => {
        const body = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        const out: HmaCompareView = {};
        for (const [name, pair] of Object.entries(body)) {
          if (!Array.isArray(pair)) fail(400, `Comparison hashes for ${name} was not a list`);
          if (pair.length !== 2) fail(400, "Comparison hash list length must be exactly 2");
          const type = signalType(name);
          const a = canonical(type, pair[0], `Invalid ${type} hash: `);
          const b = canonical(type, pair[1], `Invalid ${type} hash: `);
          const compare = hmaDef(type).compare;
          if (!compare) fail(400, `Invalid ${type} hash: ${type} does not support hash comparison`);
          // Exact types answer equal or not (HMA answers 500 there, unable to serialise the result).
          out[name] = compare(a, b);
        }
        return out;
      },
    }),
    route({
      method: "GET",
      url: "/m/index/status",
      access: "match.lookup",
      summary:
        "HMA: the match index per signal type, sized by the banks the caller may see (rasd's indexes are live: built_to is now)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("signal_type"), response: { 200: HmaIndexStatusView } },
      handler: async (req, _reply, who) => {
        const only = req.query.signal_type;
        if (only !== undefined && !isHmaSignalType(only)) fail(400, `No such signal type '${only}'`);
        // The signals of the banks the caller may see, not the coalition's whole index (which
        // counts other members' RED banks; issue 15, item 10; the operator has /status for that).
        const sizes = await s.store.countSignalsByType((await s.access.visibleBanks(who)).map((b) => b.id));
        const present = s.matcher.ready;
        const builtTo = present ? Math.floor(Date.now() / 1000) : -1;
        const size = (t: HmaSignalType) => hmaDef(t).answers.reduce((n, answer) => n + (sizes[answer] ?? 0), 0);
        return Object.fromEntries(
          (only ? [only] : HMA_SIGNAL_TYPES).map((t) => [t, { built_to: builtTo, present, size: size(t) }]),
        );
      },
    }),
  ];
}
