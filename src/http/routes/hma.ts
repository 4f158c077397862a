/**
 * HMA-compatible routes: the REST API of Meta's Hasher-Matcher-Actioner (OpenMediaMatch),
 * so that its clients work against rasd unchanged — /h (hashing), /m (matching) and /c
 * (curation), with HMA's request and response shapes and its `{"message": ...}` errors.
 * Authentication, roles and TLP sharing are rasd's: a bearer key on every call, and a
 * caller sees and matches only the banks it may see.
 *
 * How HMA's model maps onto rasd's:
 * - An HMA bank is a rasd bank. Its name is unique within an organisation, not across the
 *   coalition, so `/c/bank/<name>` looks among the banks the caller may see, its own
 *   organisation's first. Only the organisation's own banks can be changed. A bank the
 *   caller may not see answers exactly as a bank that does not exist (404, or "Done" for
 *   DELETE, which HMA answers so for a missing bank).
 * - HMA content is one rasd signal: content id = signal id (`bank_content_id` in lookups).
 *   Content that hashes to several signals (a video: video_md5 and vpdq) becomes several
 *   signals, and the id returned is the first one's.
 * - `disable_until_ts` is 1 for an active signal and 0 for a retracted one; deleting
 *   content retracts its signal (a tombstone, so that mirrors learn of it), and PUT with 1
 *   re-enables it. Timed disabling is not supported.
 * - A content's `note` is kept as the signal's `source` (at most 200 characters).
 * - Stored values are rasd's canonical forms: a vpdq value keeps 3 decimals per timestamp
 *   ("hash,quality,1.000"), where /h/hash writes HMA's "1.0"; both parse the same.
 * - Signal types: pdq, video_md5 and vpdq (what /h/hash computes: photo → pdq; video →
 *   video_md5 and vpdq), and md5, sha256, url and text, which rasd also matches (url
 *   lookups also find rasd's domain signals). Every type is always enabled (ratio 1.0).
 * - POST /c/banks makes an AMBER+STRICT bank in the caller's organisation; a `tlp` field
 *   (CLEAR, GREEN, AMBER or AMBER+STRICT) is a rasd extension.
 * - A bank's `matching_enabled_ratio` is rasd's `enabledRatio`, with HMA's coin flip
 *   (Python's `random.Random(seed).random()`, reproduced exactly for a given `seed`).
 * - PDQ matches use each bank's own distance threshold (31 by default, as HMA). Lookup
 *   distances are strings as in HMA; text matches give their similarity ("0.87").
 * - Lookups leave out what rasd's allow-list (negative) banks suppress; raw_lookup does not.
 *
 * Not supported: content metadata (refused with 400), exchanges, timed disabling, and
 * pydantic's validation error arrays (a missing required field is a 422 `{"message"}`).
 */

import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import { describeError, isRasdError } from "../../core/errors.js";
import type { Bank, Signal, SignalType, Tlp } from "../../core/model.js";
import { canChangeBank } from "../../core/sharing.js";
import { hammingDistanceHex } from "../../kernels/pdq/hash256.js";
import { compareVpdq } from "../../kernels/vpdq/match.js";
import { fetchRemoteMedia, type FetchedMedia } from "../../media/remote-fetch.js";
import type { Services } from "../../server/services.js";
import type { Principal } from "../../services/access.js";
import type { Match } from "../../services/matcher.js";
import { pdqHashImageBytes } from "../../signals/pdq/hash-image.js";
import { canonicalSignalValue, vpdqFrames } from "../../signals/values.js";
import { vpdqHashVideoFile, type VpdqFrame, type VpdqResult } from "../../signals/vpdq/hash-video.js";
import { idParam, route, type RouteDef } from "../route.js";
import { auditEntry } from "./members.js";

// --- vocabulary ------------------------------------------------------------

/** The signal types offered through the HMA API, in the order GET /c/signal_type lists them. */
export const HMA_SIGNAL_TYPES = ["pdq", "video_md5", "vpdq", "md5", "sha256", "url", "text"] as const;
type HmaSignalType = (typeof HMA_SIGNAL_TYPES)[number];

type ContentType = "photo" | "video";
/** What hashing a content type gives, as HMA's content types and signal types pair up. */
const CONTENT_SIGNAL_TYPES: Record<ContentType, readonly HmaSignalType[]> = {
  photo: ["pdq"],
  video: ["video_md5", "vpdq"],
};

const BANK_NAME = /^[A-Z_][A-Z0-9_]*$/;
/** HMA's PDQSignal gives an empty hash below this quality. */
const PDQ_MIN_QUALITY = 50;
/** HMA's confident-match distance for PDQ comparisons. */
const PDQ_MATCH_DISTANCE = 31;
const MAX_REMOTE_BYTES = 100 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;
const MAX_NOTE = 200;
const UNSAFE_URL: ReadonlySet<string> = new Set([
  "fetch.private_address",
  "fetch.scheme",
  "fetch.credentials",
  "url.invalid",
]);
/** Markings a bank can be given through POST /c/banks (RED needs named readers: /v1/banks). */
const HMA_TLP: readonly Tlp[] = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"];

function isSignalType(name: string): name is HmaSignalType {
  return (HMA_SIGNAL_TYPES as readonly string[]).includes(name);
}

// --- errors and request fields -----------------------------------------------

/** An error with HMA's status code; the app answers it as `{"message": ...}`. */
class HmaError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

function fail(status: number, message: string): never {
  throw new HmaError(status, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A query parameter (the first, if repeated), as Flask's `request.args.get`. */
function param(req: FastifyRequest, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
  return typeof value === "string" ? value : undefined;
}

/** A required query parameter: 422 when missing, as HMA's request validation. */
function required(req: FastifyRequest, name: string): string {
  return param(req, name) ?? fail(422, `${name}: Field required`);
}

function pathName(req: FastifyRequest): string {
  return (req.params as Record<string, string>).bank_name ?? "";
}

/** Pydantic's lax booleans. */
function parseBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(text)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(text)) return false;
  fail(422, `${field}: Input should be a valid boolean`);
}

/** A ratio field: absent, null, or a number 0..1 (rasd's range; HMA does not check it). */
function parseRatio(value: unknown, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) fail(422, `${field}: Input should be a valid number`);
  if (n < 0 || n > 1) fail(400, `${field} must be between 0.0 and 1.0`);
  return n;
}

/** A note, kept as the signal's source. */
function parseNote(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(400, "note should be a string");
  if (value.length > MAX_NOTE)
    fail(400, `note must be at most ${MAX_NOTE} characters (rasd keeps it as the signal's source)`);
  return value;
}

function refuseMetadata(value: unknown): void {
  if (value !== undefined && value !== null && value !== "")
    fail(400, "metadata is not supported: rasd keeps no content metadata (use note for a short text)");
}

/** Bank names from `banks=A,B` (undefined: no filter). */
function bankFilter(req: FastifyRequest): Set<string> | undefined {
  const raw = param(req, "banks");
  if (raw === undefined || raw.trim() === "") return undefined;
  return new Set(
    raw
      .split(",")
      .map((b) => b.trim())
      .filter((b) => b !== ""),
  );
}

// --- Python compatibility ----------------------------------------------------

/** MT19937, as CPython's `random` module seeds and runs it. */
class MersenneTwister {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(key: readonly number[]) {
    const mt = this.mt;
    mt[0] = 19650218;
    for (let i = 1; i < 624; i++) mt[i] = Math.imul(1812433253, mt[i - 1]! ^ (mt[i - 1]! >>> 30)) + i;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      mt[i] = (mt[i]! ^ Math.imul(mt[i - 1]! ^ (mt[i - 1]! >>> 30), 1566083941)) - i;
      i++;
      if (i >= 624) {
        mt[0] = mt[623]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % 624]! & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

/**
 * `random.Random(seed).random()` for a str seed, as HMA flips its coin: the seed's UTF-8
 * bytes followed by their SHA-512 make one big-endian integer, whose 32-bit words (least
 * significant first) seed MT19937; random() takes 53 bits from two outputs.
 */
export function pythonSeededRandom(seed: string): number {
  const text = Buffer.from(seed, "utf8");
  let bytes = Buffer.concat([text, createHash("sha512").update(text).digest()]);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = Buffer.concat([Buffer.alloc((4 - ((bytes.length - start) % 4)) % 4), bytes.subarray(start)]);
  const key: number[] = [];
  for (let at = bytes.length - 4; at >= 0; at -= 4) key.push(bytes.readUInt32BE(at));
  const mt = new MersenneTwister(key);
  const a = mt.nextUint32() >>> 5;
  const b = mt.nextUint32() >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/** Python's `f"{x:.3}"`: 3 significant digits, scientific from 100 up, at least one decimal. */
export function pythonFloat3(x: number): string {
  if (x === 0) return "0.0";
  const [mantissa = "", exponent = "0"] = x.toExponential(2).split("e");
  const exp = Number(exponent);
  const trim = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 2) return `${trim(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const fixed = trim(x.toFixed(2 - exp));
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** Python's `f"{x:.0f}"` (ties to even). */
function pythonRound0(x: number): string {
  let r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return String(r);
}

/** vPDQ frames as HMA's vpdq extension writes them: a JSON array of "hash,quality,timestamp". */
export function hmaVpdqJson(frames: readonly VpdqFrame[]): string {
  return `[${frames.map((f) => JSON.stringify(`${f.hash},${f.quality},${pythonFloat3(f.timestamp)}`)).join(", ")}]`;
}

// --- hashing -----------------------------------------------------------------

interface Hashed {
  /** Signal type → hash, as /h/hash answers. */
  readonly hashes: Partial<Record<HmaSignalType, string>>;
  readonly pdqQuality?: number;
}

async function hashVideoBytes(bytes: Uint8Array): Promise<VpdqResult> {
  const dir = await mkdtemp(join(tmpdir(), "rasd-hma-"));
  try {
    const path = join(dir, "video");
    await writeFile(path, bytes);
    return await vpdqHashVideoFile(path, { secondsPerHash: 1 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function hashMedia(kind: ContentType, bytes: Uint8Array, types: readonly HmaSignalType[]): Promise<Hashed> {
  if (kind === "photo") {
    const pdq = await pdqHashImageBytes(bytes);
    return { hashes: { pdq: pdq.quality >= PDQ_MIN_QUALITY ? pdq.hash : "" }, pdqQuality: pdq.quality };
  }
  const hashes: Partial<Record<HmaSignalType, string>> = {};
  if (types.includes("video_md5")) hashes.video_md5 = createHash("md5").update(bytes).digest("hex");
  if (types.includes("vpdq")) hashes.vpdq = hmaVpdqJson((await hashVideoBytes(bytes)).frames);
  return { hashes };
}

/** The `types=` selection among a content type's signal types. */
function selectTypes(kind: ContentType, types: string | undefined): HmaSignalType[] {
  const all = CONTENT_SIGNAL_TYPES[kind];
  if (types === undefined) return [...all];
  const names = types
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (names.length === 0) fail(400, "empty signal type selection");
  for (const name of names)
    if (!(all as readonly string[]).includes(name)) fail(400, `signal type '${name}' doesn't exist or is disabled`);
  return all.filter((t) => names.includes(t));
}

function contentTypeParam(value: string | undefined): ContentType | undefined {
  if (value === undefined) return undefined;
  if (value !== "photo" && value !== "video") fail(400, `no such content_type: '${value}'`);
  return value;
}

interface Media {
  readonly kind: ContentType;
  readonly bytes: Buffer;
  /** Form fields sent with an upload. */
  readonly fields: Record<string, string>;
}

/** One file part named after its content type (`photo` or `video`), as HMA takes uploads. */
async function readUpload(req: FastifyRequest): Promise<Media> {
  if (!req.isMultipart()) fail(400, "Missing multipart/form-data file upload");
  let file: { field: string; bytes: Buffer } | undefined;
  const fields: Record<string, string> = {};
  try {
    // Room for a second file, so that it can be refused in HMA's words.
    for await (const part of req.parts({ limits: { files: 2 } })) {
      if (part.type === "file") {
        if (file) {
          part.file.resume();
          fail(400, "Only one file allowed per request");
        }
        file = { field: part.fieldname, bytes: await part.toBuffer() };
      } else if (typeof part.value === "string") {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === "FST_FILES_LIMIT") fail(400, "Only one file allowed per request");
    throw error;
  }
  if (!file) fail(400, "Missing multipart/form-data file upload");
  if (file.field !== "photo" && file.field !== "video") fail(400, `no such content_type: '${file.field}'`);
  return { kind: file.field, bytes: file.bytes, fields };
}

// --- answers -----------------------------------------------------------------

/** HMA's BankConfig, keys in jsonify's (sorted) order. */
function bankJson(b: Bank): { matching_enabled_ratio: number; name: string } {
  return { matching_enabled_ratio: b.enabledRatio, name: b.name };
}

/** HMA's lookup distance strings: pdq "0".."31", vpdq "100%[100%]", exact types "-". */
function distanceOf(m: Match): string {
  switch (m.type) {
    case "pdq":
      return String(m.distance ?? 0);
    case "vpdq":
      return `${pythonRound0(m.queryMatchPercent ?? 0)}%[${pythonRound0(m.comparedMatchPercent ?? 0)}%]`;
    case "text":
      return (m.similarity ?? 0).toFixed(2);
    default:
      return "-";
  }
}

type LookupResult = Record<string, { bank_content_id: number; distance: string }[]>;

// --- the routes ----------------------------------------------------------------

const stringParams = (...names: string[]) => ({
  type: "object",
  properties: Object.fromEntries(names.map((n) => [n, { type: "string" }])),
});

export function hmaRoutes(s: Services): RouteDef[] {
  /** A signal's canonical value, or an error in HMA's words for the prefix to explain. */
  const canonical = (type: HmaSignalType, value: unknown, prefix: string): string => {
    if (typeof value !== "string") fail(400, `${prefix}${type} signal must be a string`);
    try {
      return canonicalSignalValue(type, value, s.shorteners).value;
    } catch (error) {
      if (type === "pdq") fail(400, `${prefix}invalid PDQ hash`);
      if (type === "md5" || type === "video_md5") fail(400, `${prefix}'${value}' is not a valid MD5 hash`);
      if (type === "vpdq") fail(400, `${prefix}invalid VpdqCompactFeature serialization: ${describeError(error)}`);
      fail(400, `${prefix}${describeError(error)}`);
    }
  };

  const signalType = (name: string): HmaSignalType =>
    isSignalType(name) ? name : fail(400, `No such SignalType '${name}'`);

  /** Index matches of one signal among `banks`, of that type only (HMA has one index per type). */
  const matchSignal = (type: HmaSignalType, value: string, banks: ReadonlySet<number>, quality = 100): Match[] => {
    const m = s.matcher;
    const result =
      type === "pdq"
        ? m.matchPdq([{ hash: value, quality }], banks)
        : type === "vpdq"
          ? m.matchVpdq(vpdqFrames(value), banks)
          : type === "url"
            ? m.matchUrl(value, banks)
            : type === "text"
              ? m.matchText(value, banks)
              : m.matchExact(type, value, banks);
    return result.matches.filter((x) => x.type === type || (type === "url" && x.type === "domain"));
  };

  /** HMA's coin flip: one per request; a bank takes part when its ratio ≥ the flip. */
  const coinflip = (req: FastifyRequest): number => {
    const seed = param(req, "seed");
    return seed === undefined ? Math.random() : pythonSeededRandom(seed);
  };

  /** HMA's lookup(): matches grouped by bank name, among the banks the caller may see. */
  const lookup = async (
    who: Principal,
    type: HmaSignalType,
    value: string,
    options: { banks: Set<string> | undefined; coinflip: number; quality?: number },
  ): Promise<LookupResult> => {
    const banks = new Map(
      (await s.access.visibleBanks(who))
        .filter((b) => b.enabledRatio >= options.coinflip && (!options.banks || options.banks.has(b.name)))
        .map((b) => [b.id, b]),
    );
    const out: LookupResult = {};
    for (const m of matchSignal(type, value, new Set(banks.keys()), options.quality)) {
      const bank = banks.get(m.bankId)!;
      // An allow-list match is no reason to act: HMA clients would act on anything listed.
      if (m.suppressed || bank.negative) continue;
      (out[bank.name] ??= []).push({ bank_content_id: m.signalId, distance: distanceOf(m) });
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
    void reply.status(503);
    return { message: "index not yet ready" };
  };

  const download = async (url: string): Promise<FetchedMedia> => {
    try {
      return await fetchRemoteMedia(url, {
        maxBytes: MAX_REMOTE_BYTES,
        timeoutMs: FETCH_TIMEOUT_MS,
        allowPrivate: s.config.fetchAllowPrivate,
      });
    } catch (error) {
      const code = isRasdError(error) ? error.code : undefined;
      if (code === "fetch.too_large") fail(413, "Content too large");
      // What HMA's URL check refuses: other schemes, credentials, non-public addresses.
      if (code && UNSAFE_URL.has(code)) fail(400, `Invalid or unsafe URL provided: ${describeError(error)}`);
      fail(400, `Failed to fetch URL: ${describeError(error)}`);
    }
  };

  /** `?url=` (with `content_type`) fetched and typed, as HMA's hash-from-URL. */
  const fetchMedia = async (req: FastifyRequest, url: string): Promise<Media> => {
    const given = contentTypeParam(param(req, "content_type"));
    const fetched = await download(url);
    const header = fetched.contentType ?? "";
    const kind =
      given ??
      (header.startsWith("image")
        ? "photo"
        : header.startsWith("video")
          ? "video"
          : fail(
              400,
              `unsupported url ContentType: '${header}', if you know the expected type, provide it with the content_type query param`,
            ));
    return { kind, bytes: fetched.bytes, fields: {} };
  };

  const hashOf = (req: FastifyRequest, media: Media): Promise<Hashed> =>
    hashMedia(media.kind, media.bytes, selectTypes(media.kind, param(req, "types")));

  /** A bank by name among those the caller may see, its own organisation's first. */
  const findBank = async (who: Principal, name: string): Promise<Bank | undefined> => {
    const named = (await s.access.visibleBanks(who)).filter((b) => b.name === name);
    return named.find((b) => b.orgId === who.orgId) ?? named[0];
  };
  const visibleBank = async (who: Principal, name: string, notFound = `bank '${name}' not found`): Promise<Bank> =>
    (await findBank(who, name)) ?? fail(404, notFound);
  const mayChange = async (who: Principal, bank: Bank): Promise<Bank> => {
    if (!canChangeBank(who, bank, await s.access.sharingOf(bank.id)))
      fail(403, `bank '${bank.name}' belongs to another organisation; only its own curators may change it`);
    return bank;
  };
  const changeableBank = async (who: Principal, name: string, notFound?: string): Promise<Bank> =>
    mayChange(who, await visibleBank(who, name, notFound));

  /** The bank's signal with this content id, or undefined (also for another bank's signal). */
  const contentOf = async (req: FastifyRequest, bank: Bank): Promise<Signal | undefined> => {
    const id = idParam(req, "content_id");
    const signal = Number.isNaN(id) ? undefined : await s.store.getSignal(id);
    return signal && signal.bankId === bank.id ? signal : undefined;
  };
  const requireContent = async (req: FastifyRequest, bank: Bank): Promise<Signal> =>
    (await contentOf(req, bank)) ??
    fail(404, `content '${(req.params as Record<string, string>).content_id ?? ""}' not found`);

  /** Adds signals to a bank as one piece of HMA content; answers with the first signal's id. */
  const addContent = async (
    req: FastifyRequest,
    who: Principal,
    bank: Bank,
    signals: readonly [HmaSignalType, string][],
    extra: { note?: string; pdqQuality?: number },
  ): Promise<{ id: number; signals: Record<string, string> }> => {
    const report = await s.banks.addSignals(
      bank.id,
      signals.map(([type, value], line) => ({
        line,
        raw: {
          type,
          value,
          ...(extra.note !== undefined ? { source: extra.note } : {}),
          ...(type === "pdq" && extra.pdqQuality !== undefined ? { quality: extra.pdqQuality } : {}),
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

  const contentJson = (bank: Bank, signal: Signal, includeSignals: boolean): Record<string, unknown> => ({
    bank: bankJson(bank),
    disable_until_ts: signal.status === "active" ? 1 : 0,
    id: signal.id,
    ...(signal.source ? { note: signal.source } : {}),
    original_media_uri: null,
    ...(includeSignals ? { signals: { [signal.type]: signal.value } } : {}),
  });

  return [
    // --- /h: hashing ---------------------------------------------------------
    route({
      method: "GET",
      url: "/h/hash",
      access: "match.lookup",
      summary: "HMA: hash the media at a URL (photo → pdq; video → video_md5, vpdq)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("url", "content_type", "types") },
      handler: async (req) => {
        const url = required(req, "url");
        return (await hashOf(req, await fetchMedia(req, url))).hashes;
      },
    }),
    route({
      method: "POST",
      url: "/h/hash",
      access: "match.lookup",
      summary: "HMA: hash an uploaded file (one part named photo or video)",
      tags: ["hma"],
      hmaErrors: true,
      multipart: true,
      schema: { querystring: stringParams("types") },
      handler: async (req) => (await hashOf(req, await readUpload(req))).hashes,
    }),

    // --- /m: matching --------------------------------------------------------
    route({
      method: "GET",
      url: "/m/raw_lookup",
      access: "match.lookup",
      summary: "HMA: content ids matching a signal, in the banks the caller may see (no coin flip)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("signal", "signal_type", "banks", "include_distance") },
      handler: async (req, reply, who) => {
        const signal = required(req, "signal");
        const type = signalType(required(req, "signal_type"));
        const withDistance = parseBool(param(req, "include_distance"), "include_distance") ?? false;
        const value = canonical(type, signal, "invalid signal: ");
        const busy = notReady(reply);
        if (busy) return busy;
        const only = bankFilter(req);
        const banks = new Set(
          (await s.access.visibleBanks(who)).filter((b) => !only || only.has(b.name)).map((b) => b.id),
        );
        const matches = matchSignal(type, value, banks);
        return {
          matches: withDistance
            ? matches.map((m) => ({ bank_content_id: m.signalId, distance: distanceOf(m) }))
            : matches.map((m) => m.signalId),
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
      },
      handler: async (req, reply, who) => {
        const url = param(req, "url");
        const signal = param(req, "signal");
        const typeName = param(req, "signal_type");
        // HMA's GET lookup always flips the coin (bypass_coinflip is honoured by POST only).
        const options = { banks: bankFilter(req), coinflip: coinflip(req) };
        if (url !== undefined) {
          const hashed = await hashOf(req, await fetchMedia(req, url));
          const busy = notReady(reply);
          if (busy) return busy;
          const all = await lookupAll(who, hashed, options);
          return typeName === undefined ? all : (all[typeName] ?? {});
        }
        if (signal === undefined || typeName === undefined)
          fail(400, "Either url or both signal and signal_type are required");
        const type = signalType(typeName);
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
      schema: { querystring: stringParams("types", "banks", "seed", "bypass_coinflip") },
      handler: async (req, reply, who) => {
        const hashed = await hashOf(req, await readUpload(req));
        const busy = notReady(reply);
        if (busy) return busy;
        const bypass = param(req, "bypass_coinflip") === "true";
        return lookupAll(who, hashed, { banks: bankFilter(req), coinflip: bypass ? 0 : coinflip(req) });
      },
    }),
    route({
      method: "POST",
      url: "/m/compare",
      access: "match.lookup",
      summary: 'HMA: compare pairs of hashes, e.g. {"pdq": [a, b]} → {"pdq": [true, {"distance": 9}]}',
      tags: ["hma"],
      hmaErrors: true,
      handler: async (req) => {
        const body: unknown = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        const out: Record<string, [boolean, Record<string, number>]> = {};
        for (const [name, pair] of Object.entries(body)) {
          if (!Array.isArray(pair)) fail(400, `Comparison hashes for ${name} was not a list`);
          if (pair.length !== 2) fail(400, "Comparison hash list length must be exactly 2");
          const type = signalType(name);
          const [a, b] = pair.map((h) => canonical(type, h, `Invalid ${type} hash: `)) as [string, string];
          if (type === "pdq") {
            const distance = hammingDistanceHex(a, b);
            out[name] = [distance <= PDQ_MATCH_DISTANCE, { distance }];
          } else if (type === "vpdq") {
            const c = compareVpdq(vpdqFrames(a), vpdqFrames(b));
            out[name] = [
              c.isMatch,
              { query_match_percent: c.queryMatchPercent, compared_match_percent: c.comparedMatchPercent },
            ];
          } else if (type === "text") {
            fail(400, `Invalid ${type} hash: ${type} does not support hash comparison`);
          } else {
            // Exact types: equal or not (HMA answers 500 here, unable to serialise the result).
            out[name] = [a === b, {}];
          }
        }
        return out;
      },
    }),
    route({
      method: "GET",
      url: "/m/index/status",
      access: "match.lookup",
      summary: "HMA: the match index per signal type (rasd's indexes are live: built_to is now)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("signal_type") },
      handler: async (req) => {
        const only = param(req, "signal_type");
        if (only !== undefined && !isSignalType(only)) fail(400, `No such signal type '${only}'`);
        const sizes = s.matcher.sizes;
        const present = s.matcher.ready;
        const builtTo = present ? Math.floor(Date.now() / 1000) : -1;
        const size = (t: HmaSignalType) => (t === "url" ? sizes.url + sizes.domain : sizes[t as SignalType]);
        return Object.fromEntries(
          (only ? [only] : HMA_SIGNAL_TYPES).map((t) => [t, { built_to: builtTo, present, size: size(t) }]),
        );
      },
    }),

    // --- /c: curation --------------------------------------------------------
    route({
      method: "GET",
      url: "/c/banks",
      access: "bank.read",
      summary: "HMA: the banks the caller may see",
      tags: ["hma"],
      hmaErrors: true,
      handler: async (_req, _reply, who) => (await s.access.visibleBanks(who)).map(bankJson),
    }),
    route({
      method: "POST",
      url: "/c/banks",
      access: "bank.write",
      summary: "HMA: create a bank in the caller's organisation (TLP AMBER+STRICT unless tlp is given)",
      tags: ["hma"],
      hmaErrors: true,
      handler: async (req, reply, who) => {
        const body: unknown = req.body;
        if (!isObject(body)) fail(422, "body: Input should be a valid dictionary");
        if (body.name === undefined) fail(422, "name: Field required");
        if (typeof body.name !== "string") fail(422, "name: Input should be a valid string");
        if (!BANK_NAME.test(body.name)) fail(400, "Bank names must be UPPER_WITH_UNDERSCORE");
        // As HMA: enabled_ratio defaults to 1.0, so `enabled` counts only beside an explicit null.
        const ratio = parseRatio(body.enabled_ratio, "enabled_ratio");
        const enabled = parseBool(body.enabled, "enabled");
        const enabledRatio = ratio ?? (ratio === null && enabled !== undefined ? (enabled ? 1 : 0) : 1);
        const tlp = body.tlp;
        if (tlp !== undefined && !(HMA_TLP as readonly unknown[]).includes(tlp))
          fail(400, `tlp must be one of ${HMA_TLP.join(", ")} (RED banks are made with POST /v1/banks)`);
        let bank: Bank;
        try {
          bank = await s.banks.createBank({
            orgId: who.orgId,
            name: body.name,
            enabledRatio,
            ...(tlp !== undefined ? { tlp: tlp as Tlp } : {}),
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
      handler: async (req, _reply, who) => bankJson(await visibleBank(who, pathName(req))),
    }),
    route({
      method: "PUT",
      url: "/c/bank/:bank_name",
      access: "bank.write",
      summary: "HMA: rename a bank or change its matching_enabled_ratio",
      tags: ["hma"],
      hmaErrors: true,
      handler: async (req, _reply, who) => {
        const body: unknown = req.body ?? {};
        if (!isObject(body)) fail(422, "body: Input should be a valid dictionary");
        const bank = await changeableBank(who, pathName(req), "Bank not found");
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
      handler: async (req, _reply, who) => {
        // As HMA, a bank that is not there (or not visible, which looks the same) is "Done".
        const found = await findBank(who, pathName(req));
        if (found) {
          const bank = await mayChange(who, found);
          await s.banks.deleteBank(bank.id);
          s.access.invalidate();
          await s.access.audit(auditEntry(req, who, "bank.delete", `bank:${bank.id}`, { api: "hma", name: bank.name }));
        }
        return { message: "Done" };
      },
    }),
    route({
      method: "POST",
      url: "/c/bank/:bank_name/signal",
      access: "signal.write",
      summary: 'HMA: add content by its signals, e.g. {"pdq": "<64 hex>", "note": "..."}',
      tags: ["hma"],
      hmaErrors: true,
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, pathName(req));
        const body: unknown = req.body;
        if (!isObject(body)) fail(400, "Request input was not a dict");
        const { note, ...given } = body;
        const text = parseNote(note);
        if (Object.keys(given).length === 0) fail(400, "No signals given");
        const signals: [HmaSignalType, string][] = [];
        for (const [name, value] of Object.entries(given)) {
          if (!isSignalType(name)) fail(400, `No such signal type ${name}`);
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
      schema: { querystring: stringParams("url", "content_type", "types") },
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, pathName(req));
        const url = param(req, "url");
        let media: Media;
        let note: string | undefined;
        if (url !== undefined) {
          const body: unknown = req.isMultipart() ? undefined : req.body;
          if (isObject(body)) {
            refuseMetadata(body.metadata);
            note = parseNote(body.note);
          }
          media = await fetchMedia(req, url);
        } else if (req.isMultipart()) {
          media = await readUpload(req);
          refuseMetadata(media.fields.metadata);
          note = parseNote(media.fields.note);
        } else {
          fail(400, "Neither `url` nor multipart file upload was received");
        }
        const hashed = await hashOf(req, media);
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
      schema: { querystring: stringParams("include_signals", "include_metadata") },
      handler: async (req, _reply, who) => {
        const bank = await visibleBank(who, pathName(req));
        const signal = await requireContent(req, bank);
        return contentJson(bank, signal, param(req, "include_signals") === "true");
      },
    }),
    route({
      method: "PUT",
      url: "/c/bank/:bank_name/content/:content_id",
      access: "signal.write",
      summary: "HMA: disable (disable_until_ts 0) or enable (1) content, or change its note",
      tags: ["hma"],
      hmaErrors: true,
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, pathName(req));
        const signal = await requireContent(req, bank);
        const body: unknown = req.body;
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
          bank: bankJson(bank),
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
      handler: async (req, _reply, who) => {
        const bank = await changeableBank(who, pathName(req));
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
      handler: async () => HMA_SIGNAL_TYPES.map((name) => ({ enabled_ratio: 1.0, name })),
    }),
  ];
}
