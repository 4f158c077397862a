/**
 * What every HMA route shares: its errors (HMA's status codes, answered as `{"message"}`),
 * its request schemas (permissive: every parameter a string, every body anything, because
 * HMA answers a missing or malformed field with its own status and words, which the checks
 * here give, as Flask and pydantic do), and finding banks, content and canonical signal
 * values in HMA's words.
 */

import { Type, type TOptional, type TString } from "typebox";
import type { Bank, Signal, Tlp } from "../../../core/model.js";
import { canChangeBank } from "../../../core/sharing.js";
import type { Services } from "../../../server/services.js";
import type { Principal } from "../../../services/access.js";
import { canonicalSignalValue, hmaDef, isHmaSignalType, type HmaSignalType } from "../../../signals/registry.js";
import type { HmaBankView } from "../../schemas/hma.js";
import { idParam, type TypedRequest } from "../../route.js";

export const BANK_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_NOTE = 200;
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

/** A note, kept as the signal's source. */
export function parseNote(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") fail(400, "note should be a string");
  if (value.length > MAX_NOTE)
    fail(400, `note must be at most ${MAX_NOTE} characters (rasd keeps it as the signal's source)`);
  return value;
}

export function refuseMetadata(value: unknown): void {
  if (value !== undefined && value !== null && value !== "")
    fail(400, "metadata is not supported: rasd keeps no content metadata (use note for a short text)");
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

/** HMA's BankConfig, keys in jsonify's (sorted) order. */
export function bankJson(b: Bank): HmaBankView {
  return { matching_enabled_ratio: b.enabledRatio, name: b.name };
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
  /** A bank by name among those the caller may see, its own organisation's first. */
  findBank(who: Principal, name: string): Promise<Bank | undefined>;
  visibleBank(who: Principal, name: string, notFound?: string): Promise<Bank>;
  mayChange(who: Principal, bank: Bank): Promise<Bank>;
  changeableBank(who: Principal, name: string, notFound?: string): Promise<Bank>;
  /** The bank's signal with this content id, or undefined (also for another bank's signal). */
  contentOf(req: ContentRequest, bank: Bank): Promise<Signal | undefined>;
  requireContent(req: ContentRequest, bank: Bank): Promise<Signal>;
}

export function hmaContext(s: Services): HmaContext {
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
  const contentOf = async (req: ContentRequest, bank: Bank): Promise<Signal | undefined> => {
    const id = idParam(req, "content_id");
    const signal = Number.isNaN(id) ? undefined : await s.store.getSignal(id);
    return signal && signal.bankId === bank.id ? signal : undefined;
  };
  return {
    s,
    canonical(type, value, prefix) {
      if (typeof value !== "string") fail(400, `${prefix}${type} signal must be a string`);
      try {
        return canonicalSignalValue(type, value, s.shorteners).value;
      } catch (error) {
        fail(400, `${prefix}${hmaDef(type).invalid(value, error)}`);
      }
    },
    signalType: (name) => (isHmaSignalType(name) ? name : fail(400, `No such SignalType '${name}'`)),
    findBank,
    visibleBank,
    mayChange,
    changeableBank: async (who, name, notFound) => mayChange(who, await visibleBank(who, name, notFound)),
    contentOf,
    requireContent: async (req, bank) =>
      (await contentOf(req, bank)) ?? fail(404, `content '${req.params.content_id}' not found`),
  };
}
