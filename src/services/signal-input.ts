/**
 * Turning loosely typed signal records (from CSV, JSON lines, the API) into validated
 * store inputs, with one precise message per problem.
 */

import { RasdError, describeError } from "../core/errors.js";
import { BEHAVIOURS, SIGNAL_TYPES, type Behaviour, type Labels } from "../core/model.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import { canonicalSignalValue, isSignalType, signalTypeDef } from "../signals/registry.js";
import type { SignalInput } from "../storage/store.js";

/** A signal as it arrives: strings and numbers, nothing checked yet. */
export interface RawSignal {
  readonly type?: unknown;
  readonly value?: unknown;
  readonly labels?: { entity?: unknown; behaviour?: unknown; language?: unknown } | undefined;
  readonly entity?: unknown;
  readonly behaviour?: unknown;
  readonly language?: unknown;
  readonly confidence?: unknown;
  readonly source?: unknown;
  readonly first_seen?: unknown;
  readonly last_seen?: unknown;
  readonly firstSeen?: unknown;
  readonly lastSeen?: unknown;
  readonly quality?: unknown;
  /** "active" (or absent) adds the signal; "retracted" is a tombstone (see BankService.importFile). */
  readonly status?: unknown;
  /** Members' opinions of it (files only: signal-files.ts parseFileOpinions; decision 0042). */
  readonly opinions?: unknown;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const LANGUAGE = /^[a-z]{2,3}$/;

function list(value: unknown): string[] {
  if (value === undefined || value === null || value === "") return [];
  if (Array.isArray(value)) return value.map((v) => String(v).trim().toLowerCase()).filter((v) => v !== "");
  return String(value)
    .split(/[|;,]/)
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== "");
}

function time(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const text = String(value).trim();
  if (/^\d{9,14}$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new RasdError("invalid", `${field}: not a date ("${text.slice(0, 40)}"); use ISO 8601 or epoch milliseconds`);
  return ms;
}

function intIn(value: unknown, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RasdError("invalid", `${field}: expected an integer ${min}..${max}, got "${String(value).slice(0, 20)}"`);
  return n;
}

/** The longest `source` note a signal may carry, in characters. */
export const SOURCE_MAX_CHARS = 200;

/** Validates and canonicalises one record. Throws RasdError("invalid") with the reason. */
function toSignalInput(raw: RawSignal, shorteners?: ShortenerSet): SignalInput {
  const type = String(raw.type ?? "")
    .trim()
    .toLowerCase();
  if (!isSignalType(type)) {
    throw new RasdError("invalid", `type: "${type}" is not one of ${SIGNAL_TYPES.join(", ")}`);
  }
  if (raw.value === undefined || raw.value === null) throw new RasdError("invalid", "value: missing");
  const text = String(raw.value);
  // Files are decoded as UTF-8; bytes that are not valid UTF-8 become U+FFFD. Refuse such a
  // value rather than store a corrupted signal that can never match what was meant.
  if (text.includes("\uFFFD"))
    throw new RasdError("invalid", "value: not valid UTF-8 (the file has bytes that do not decode)");
  const value = canonicalSignalValue(type, text, shorteners).value;

  const l = raw.labels ?? {};
  const entity = list(l.entity ?? raw.entity);
  const behaviour = list(l.behaviour ?? raw.behaviour);
  const language = list(l.language ?? raw.language);
  for (const e of entity) if (!SLUG.test(e)) throw new RasdError("invalid", `entity: "${e}" is not a lower-case slug`);
  for (const b of behaviour) {
    if (!(BEHAVIOURS as readonly string[]).includes(b))
      throw new RasdError("invalid", `behaviour: "${b}" is not one of ${BEHAVIOURS.join(", ")}`);
  }
  for (const g of language)
    if (!LANGUAGE.test(g)) throw new RasdError("invalid", `language: "${g}" is not an ISO 639 code`);
  const labels: Labels = { entity, behaviour: behaviour as Behaviour[], language };

  const quality = intIn(raw.quality, "quality", 0, 100);
  const confidence = intIn(raw.confidence, "confidence", 0, 100);
  const firstSeen = time(raw.first_seen ?? raw.firstSeen, "first_seen");
  const lastSeen = time(raw.last_seen ?? raw.lastSeen, "last_seen");
  const source = raw.source === undefined || raw.source === null ? undefined : String(raw.source);
  // Stored whole or refused: a longer note was once cut at 200 code units, splitting surrogate pairs.
  if (source !== undefined && [...source].length > SOURCE_MAX_CHARS)
    throw new RasdError(
      "invalid",
      `source: ${[...source].length} characters, longer than ${SOURCE_MAX_CHARS}; shorten it (it names where the signal came from)`,
    );
  return {
    type,
    value,
    labels,
    ...(quality !== undefined && signalTypeDef(type).hasQuality ? { quality } : {}),
    ...(confidence !== undefined ? { confidence } : {}),
    ...(source !== undefined ? { source } : {}),
    ...(firstSeen !== undefined ? { firstSeen } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  };
}

/** The same, returning the error message instead of throwing. */
export function tryToSignalInput(
  raw: RawSignal,
  shorteners?: ShortenerSet,
): { ok: true; input: SignalInput } | { ok: false; message: string } {
  try {
    return { ok: true, input: toSignalInput(raw, shorteners) };
  } catch (error) {
    return { ok: false, message: describeError(error) };
  }
}
