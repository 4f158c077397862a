/**
 * What every HMA route shares: its errors (HMA's status codes, answered as `{"message"}`),
 * its request schemas (permissive: every parameter a string, every body anything, because
 * HMA answers a missing or malformed field with its own status and words, which the checks
 * here give, as Flask and pydantic do), and finding banks, content and canonical signal
 * values in HMA's words.
 */

import { Type, type TOptional, type TString } from "typebox";
import type { Bank, Tlp } from "../../../core/model.js";
import { canChangeBank } from "../../../core/sharing.js";
import type { Services } from "../../../server/services.js";
import type { HmaContent, HmaContentMetadata } from "../../../storage/ports/hma.js";
import type { Principal } from "../../../services/access.js";
import { canonicalSignalValue, hmaDef, isHmaSignalType, type HmaSignalType } from "../../../signals/registry.js";
import type { HmaBankView } from "../../schemas/hma.js";
import { idParam, type TypedRequest } from "../../route.js";

export const BANK_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_NOTE = 255;
/** Markings a bank can be given through POST /c/banks (RED needs named readers: /v1/banks). */
export const HMA_TLP: readonly Tlp[] = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"];

// --- errors and request fields -----------------------------------------------

/** An error with HMA's status code; the app answers it as `{"message": ...}`. */
export class HmaError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function fail(status: number, message: string): never {
  throw new HmaError(status, message);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A required query parameter: 422 when missing, as HMA's request validation. */
export function required(value: string | undefined, name: string): string {
  return value ?? fail(422, `${name}: Field required`);
}

/** Pydantic's lax booleans. */
export function parseBool(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value;
  if (typeof value !== "string" && typeof value !== "number") fail(422, `${field}: Input should be a valid boolean`);
  const text = String(value).toLowerCase();
  if (["true", "1", "yes", "on", "t", "y"].includes(text)) return true;
  if (["false", "0", "no", "off", "f", "n"].includes(text)) return false;
  fail(422, `${field}: Input should be a valid boolean`);
}

/** A ratio field: absent, null, or a number 0..1 (rasd's range; HMA does not check it). */
export function parseRatio(value: unknown, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) fail(422, `${field}: Input should be a valid number`);
  if (n < 0 || n > 1) fail(400, `${field} must be between 0.0 and 1.0`);
  return n;
}

/** A content's note (HMA's limit, 255 characters). */
export function parseNote(value: unknown): string | undefined {
  // Python's falsy values are no note, as HMA's `if not note`.
  const empty = Array.isArray(value) ? value.length === 0 : isObject(value) ? Object.keys(value).length === 0 : !value;
  if (empty) return undefined;
  if (typeof value !== "string") fail(400, "note should be a string");
  if (value.length > MAX_NOTE) fail(400, `note must be at most ${MAX_NOTE} characters`);
  return value;
}

const METADATA_FIELDS = ["content_id", "content_uri", "json"] as const;

/**
 * HMA's BankedContentMetadata from a request (`collab` is dropped: only exchanges set it);
 * undefined when none was given or every field is null. A form field holds it as JSON text.
 */
export function parseMetadata(value: unknown, fromForm = false): HmaContentMetadata | undefined {
  if (value === undefined || value === null) return undefined;
  let raw = value;
  if (fromForm) {
    try {
      raw = JSON.parse(String(value));
    } catch {
      fail(400, "metadata form field must be valid JSON");
    }
    if (raw === null) return undefined;
  }
  if (!isObject(raw)) fail(400, "metadata should be a json object");
  const out: { content_id?: string; content_uri?: string; json?: Record<string, unknown> } = {};
  for (const [key, field] of Object.entries(raw)) {
    if (key === "collab") continue;
    if (!(METADATA_FIELDS as readonly string[]).includes(key))
      fail(400, `Invalid metadata: ${key}: Extra inputs are not permitted`);
    if (field === null) continue;
    if (key === "json") {
      if (!isObject(field)) fail(400, "Invalid metadata: json: Input should be a valid dictionary");
      out.json = field;
    } else {
      if (typeof field !== "string") fail(400, `Invalid metadata: ${key}: Input should be a valid string`);
      out[key as "content_id" | "content_uri"] = field;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** Bank names from `banks=A,B` (undefined: no filter). */
export function bankFilter(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  return new Set(
    raw
      .split(",")
      .map((b) => b.trim())
      .filter((b) => b !== ""),
  );
}

/**
 * A querystring schema of optional string parameters (a schema's `required` would answer a
 * missing one with fastify's words, not HMA's 422 `"<name>: Field required"`).
 */
export function stringParams<const N extends string>(...names: N[]) {
  const properties = Object.fromEntries(names.map((n) => [n, Type.Optional(Type.String())]));
  return Type.Object(properties as { [K in N]: TOptional<TString> });
}

/** `/c/bank/:bank_name`. */
export const BankParams = Type.Object({ bank_name: Type.String() });
/** `/c/bank/:bank_name/content/:content_id` (a content id that is not an id is a 404, as HMA). */
export const ContentParams = Type.Object({ bank_name: Type.String(), content_id: Type.String() });
/** A JSON body HMA reads field by field, answering what is wrong in its own words. */
export const AnyBody = (description: string) => Type.Unknown({ description });

// --- answers -----------------------------------------------------------------

/** HMA's BankConfig, keys in jsonify's (sorted) order, under the name the caller knows it by. */
export function bankJson(b: Bank, name = b.name): HmaBankView {
  return { matching_enabled_ratio: b.enabledRatio, name };
}

/** Upper case, every run of other characters one underscore: a part of an HMA bank name. */
function hmaNamePart(text: string): string {
  const part = text
    .normalize("NFKD")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return part === "" ? "X" : /^[0-9]/.test(part) ? `_${part}` : part;
}

/**
 * The names a caller knows the banks it may see by. Bank names are unique within an
 * organisation, not across the coalition, and an HMA client maps bank names to actions, so
 * two organisations' banks must never share one: the caller's own banks keep their names,
 * another organisation's bank is `<ORGANISATION>__<NAME>` in HMA's UPPER_WITH_UNDERSCORE
 * (`GOVERNMENT_B__ISIS_IMAGES`), and a name that still collides gets its bank id appended.
 */
export class HmaBankNames {
  private readonly byName = new Map<string, Bank>();
  private readonly names = new Map<number, string>();

  constructor(
    readonly banks: readonly Bank[],
    orgNames: ReadonlyMap<number, string>,
    orgId: number,
  ) {
    const own = banks.filter((b) => b.orgId === orgId);
    for (const b of own) this.assign(b, b.name);
    for (const b of banks) {
      if (b.orgId === orgId) continue;
      const name = `${hmaNamePart(orgNames.get(b.orgId) ?? `ORG_${b.orgId}`)}__${hmaNamePart(b.name)}`;
      this.assign(b, this.byName.has(name) ? `${name}_${b.id}` : name);
    }
  }

  private assign(b: Bank, name: string): void {
    this.byName.set(name, b);
    this.names.set(b.id, name);
  }

  nameOf(b: Bank): string {
    return this.names.get(b.id) ?? b.name;
  }

  find(name: string): Bank | undefined {
    return this.byName.get(name);
  }
}

// --- banks, content and values, among what the caller may see ----------------

/** A request for one piece of content. */
export type ContentRequest = TypedRequest<{ params: typeof ContentParams }>;

/** The lookups every HMA route area needs, bound to the service. */
export interface HmaContext {
  readonly s: Services;
  /** A signal's canonical value, or an error in HMA's words for the prefix to explain. */
  canonical(type: HmaSignalType, value: unknown, prefix: string): string;
  signalType(name: string): HmaSignalType;
  /** The names the caller knows its visible banks by (see HmaBankNames). */
  bankNames(who: Principal): Promise<HmaBankNames>;
  /** A bank by the name the caller knows it by, among those it may see. */
  findBank(who: Principal, name: string): Promise<Bank | undefined>;
  visibleBank(who: Principal, name: string, notFound?: string): Promise<Bank>;
  mayChange(who: Principal, bank: Bank): Promise<Bank>;
  changeableBank(who: Principal, name: string, notFound?: string): Promise<Bank>;
  /** The bank's content with this id, or undefined (also for another bank's content). */
  contentOf(req: ContentRequest, bank: Bank): Promise<HmaContent | undefined>;
  requireContent(req: ContentRequest, bank: Bank): Promise<HmaContent>;
  /** The signal types the caller's organisation disabled (enabled_ratio 0, PUT /c/signal_type). */
  disabledTypes(who: Principal): Promise<ReadonlySet<string>>;
  /** A signal type for a lookup: 400 when unknown or disabled for the caller's organisation. */
  enabledSignalType(who: Principal, name: string): Promise<HmaSignalType>;
}

export function hmaContext(s: Services): HmaContext {
  const bankNames = async (who: Principal): Promise<HmaBankNames> => {
    const [banks, orgs] = await Promise.all([s.access.visibleBanks(who), s.store.listOrgs()]);
    return new HmaBankNames(banks, new Map(orgs.map((o) => [o.id, o.name])), who.orgId);
  };
  const findBank = async (who: Principal, name: string): Promise<Bank | undefined> => (await bankNames(who)).find(name);
  const visibleBank = async (who: Principal, name: string, notFound = `bank '${name}' not found`): Promise<Bank> =>
    (await findBank(who, name)) ?? fail(404, notFound);
  const mayChange = async (who: Principal, bank: Bank): Promise<Bank> => {
    if (!canChangeBank(who, bank, await s.access.sharingOf(bank.id)))
      fail(403, `bank '${bank.name}' belongs to another organisation; only its own curators may change it`);
    return bank;
  };
  const contentOf = async (req: ContentRequest, bank: Bank): Promise<HmaContent | undefined> => {
    const id = idParam(req, "content_id");
    const content = Number.isNaN(id) ? undefined : await s.hmaContents.get(id);
    return content && content.bankId === bank.id ? content : undefined;
  };
  const disabledTypes = async (who: Principal): Promise<ReadonlySet<string>> => {
    const settings = await s.hmaContents.store.signalTypeSettings(who.orgId);
    return new Set(Object.keys(settings).filter((name) => settings[name]! <= 0));
  };
  const signalType = (name: string): HmaSignalType =>
    isHmaSignalType(name) ? name : fail(400, `No such SignalType '${name}'`);
  return {
    s,
    disabledTypes,
    async enabledSignalType(who, name) {
      const type = signalType(name);
      if ((await disabledTypes(who)).has(type)) fail(400, `SignalType '${name}' is not enabled`);
      return type;
    },
    canonical(type, value, prefix) {
      if (typeof value !== "string") fail(400, `${prefix}${type} signal must be a string`);
      try {
        return canonicalSignalValue(type, value, s.shorteners).value;
      } catch (error) {
        fail(400, `${prefix}${hmaDef(type).invalid(value, error)}`);
      }
    },
    signalType,
    bankNames,
    findBank,
    visibleBank,
    mayChange,
    changeableBank: async (who, name, notFound) => mayChange(who, await visibleBank(who, name, notFound)),
    contentOf,
    requireContent: async (req, bank) =>
      (await contentOf(req, bank)) ?? fail(404, `content '${req.params.content_id}' not found`),
  };
}
