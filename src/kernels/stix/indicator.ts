/**
 * Signals as STIX 2.1 Indicators, and back (pure).
 *
 * Each signal is an Indicator with a STIX pattern other tools can read — file hashes
 * (`[file:hashes.MD5 = '…']`, `'SHA-256'`, and `PDQ` as a hash name), `[url:value = '…']`,
 * `[domain-name:value = '…']` — and, for what STIX has no object for, a custom object type
 * (`x-rasd-text`, `x-rasd-url-md5`, `x-rasd-vpdq`, `x-rasd-account`). Every Indicator also carries rasd's property extension
 * (SIGNAL_EXTENSION_ID, defined by `signalExtensionDefinition()`) with the signal exactly
 * as rasd holds it, so rasd → STIX → rasd loses nothing. A retracted signal is a revoked
 * Indicator; its bank's TLP is the Indicator's TLP 2.0 marking.
 */

import type { Bank, Labels, Signal, SignalType } from "../../core/model.js";
import { tlpMarkingId } from "./tlp.js";
import { uuidv5 } from "./uuid.js";

/** rasd's namespace for the STIX ids it derives (UUIDv5 names). */
export const STIX_NAMESPACE = "3c7a4a64-94f4-5c1b-9a7e-2e6c1f0d9b11";
export const SIGNAL_EXTENSION_ID = `extension-definition--${uuidv5(STIX_NAMESPACE, "rasd-signal/1.0")}`;
export const SYSTEM_IDENTITY_ID = `identity--${uuidv5(STIX_NAMESPACE, "rasd")}`;

export type StixObject = Record<string, unknown> & { readonly type: string; readonly id: string };

const iso = (ms: number): string => new Date(ms).toISOString();

/** STIX pattern strings: a backslash and a quote are escaped. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function unquote(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}

const PATTERNS: Readonly<Record<SignalType, (v: string) => string>> = {
  md5: (v) => `[file:hashes.MD5 = ${quote(v)}]`,
  video_md5: (v) => `[file:hashes.MD5 = ${quote(v)}]`,
  sha256: (v) => `[file:hashes.'SHA-256' = ${quote(v)}]`,
  pdq: (v) => `[file:hashes.PDQ = ${quote(v)}]`,
  url: (v) => `[url:value = ${quote(v)}]`,
  // STIX's url object has no hashes: python-threatexchange's url_md5 as a custom object.
  url_md5: (v) => `[x-rasd-url-md5:value = ${quote(v)}]`,
  domain: (v) => `[domain-name:value = ${quote(v)}]`,
  text: (v) => `[x-rasd-text:value = ${quote(v)}]`,
  vpdq: (v) => `[x-rasd-vpdq:value = ${quote(v)}]`,
  // STIX's user-account has no bio, avatar or links: the whole record as rasd holds it.
  account: (v) => `[x-rasd-account:value = ${quote(v)}]`,
};

/** The object path of a one-comparison pattern → rasd's type. */
const FROM_PATH: Readonly<Record<string, SignalType>> = {
  "file:hashes.MD5": "md5",
  "file:hashes.'MD5'": "md5",
  "file:hashes.'SHA-256'": "sha256",
  "file:hashes.SHA256": "sha256",
  "file:hashes.'SHA256'": "sha256",
  "file:hashes.PDQ": "pdq",
  "file:hashes.'PDQ'": "pdq",
  "url:value": "url",
  "domain-name:value": "domain",
  "x-rasd-text:value": "text",
  "x-rasd-url-md5:value": "url_md5",
  "x-rasd-vpdq:value": "vpdq",
  "x-rasd-account:value": "account",
};

export function organisationIdentityId(orgName: string): string {
  return `identity--${uuidv5(STIX_NAMESPACE, `organisation/${orgName}`)}`;
}

/** A signal's Indicator id: stable for one bank's signal of one value, across exports. */
export function indicatorId(bankKey: string, type: SignalType, value: string): string {
  return `indicator--${uuidv5(STIX_NAMESPACE, `${bankKey}/${type}/${value}`)}`;
}

export interface IndicatorContext {
  readonly bank: Pick<Bank, "name" | "tlp">;
  /** The owning organisation's name (its Identity is the Indicator's creator). */
  readonly orgName: string;
}

export function signalToIndicator(s: Signal, ctx: IndicatorContext): StixObject {
  const labels = [...s.labels.entity, ...s.labels.behaviour];
  const created = iso(s.createdAt);
  const modified = iso(Math.max(s.updatedAt, s.createdAt));
  return {
    type: "indicator",
    spec_version: "2.1",
    id: indicatorId(`${ctx.orgName}/${ctx.bank.name}`, s.type, s.value),
    created_by_ref: organisationIdentityId(ctx.orgName),
    created,
    modified,
    name: `${s.type} signal in ${ctx.bank.name}`,
    indicator_types: ["malicious-activity"],
    pattern: PATTERNS[s.type](s.value),
    pattern_type: "stix",
    pattern_version: "2.1",
    valid_from: iso(s.firstSeen),
    ...(labels.length > 0 ? { labels } : {}),
    confidence: s.confidence,
    ...(s.status === "retracted" ? { revoked: true } : {}),
    object_marking_refs: [tlpMarkingId(ctx.bank.tlp)],
    extensions: {
      [SIGNAL_EXTENSION_ID]: {
        extension_type: "property-extension",
        signal_type: s.type,
        value: s.value,
        ...(s.quality !== null ? { quality: s.quality } : {}),
        labels: s.labels,
        ...(s.source !== "" ? { source: s.source } : {}),
        first_seen: iso(s.firstSeen),
        last_seen: iso(s.lastSeen),
        bank: ctx.bank.name,
      },
    },
  };
}

/** What an Indicator says about one signal, as import reads it. */
export interface IndicatorSignal {
  readonly type: SignalType;
  readonly value: string;
  readonly status: "active" | "retracted";
  readonly labels?: Labels | { entity?: string[]; behaviour?: string[]; language?: string[] };
  readonly confidence?: number;
  readonly quality?: number;
  readonly source?: string;
  readonly first_seen?: string;
  readonly last_seen?: string;
}

export type IndicatorRead =
  { readonly ok: true; readonly signal: IndicatorSignal } | { readonly ok: false; readonly message: string };

function parsePattern(pattern: string): { type: SignalType; value: string } | undefined {
  const m = /^\[\s*([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$/.exec(pattern.trim());
  if (!m) return undefined;
  const type = FROM_PATH[m[1]!];
  return type ? { type, value: unquote(m[2]!) } : undefined;
}

/** An Indicator (rasd's or another tool's) as a signal, or why it cannot be one. */
export function indicatorToSignal(o: Record<string, unknown>): IndicatorRead {
  const revoked = o.revoked === true;
  const ext = (o.extensions as Record<string, Record<string, unknown>> | undefined)?.[SIGNAL_EXTENSION_ID];
  if (ext && typeof ext.signal_type === "string" && typeof ext.value === "string") {
    return {
      ok: true,
      signal: {
        type: ext.signal_type as SignalType,
        value: ext.value,
        status: revoked ? "retracted" : "active",
        ...(ext.labels && typeof ext.labels === "object" ? { labels: ext.labels as Labels } : {}),
        ...(typeof o.confidence === "number" ? { confidence: o.confidence } : {}),
        ...(typeof ext.quality === "number" ? { quality: ext.quality } : {}),
        ...(typeof ext.source === "string" ? { source: ext.source } : {}),
        ...(typeof ext.first_seen === "string" ? { first_seen: ext.first_seen } : {}),
        ...(typeof ext.last_seen === "string" ? { last_seen: ext.last_seen } : {}),
      },
    };
  }
  if (o.pattern_type !== "stix" || typeof o.pattern !== "string")
    return { ok: false, message: `pattern_type "${String(o.pattern_type)}": rasd reads STIX patterns only` };
  const found = parsePattern(o.pattern);
  if (!found)
    return {
      ok: false,
      message: `pattern ${o.pattern.slice(0, 120)}: rasd reads one comparison of a file hash (MD5, SHA-256, PDQ), url:value or domain-name:value`,
    };
  return {
    ok: true,
    signal: {
      ...found,
      status: revoked ? "retracted" : "active",
      ...(typeof o.confidence === "number" ? { confidence: o.confidence } : {}),
      ...(typeof o.valid_from === "string" ? { first_seen: o.valid_from } : {}),
    },
  };
}

/** The definition of rasd's property extension (in every bundle rasd writes). */
export function signalExtensionDefinition(): StixObject {
  return {
    type: "extension-definition",
    spec_version: "2.1",
    id: SIGNAL_EXTENSION_ID,
    created_by_ref: SYSTEM_IDENTITY_ID,
    created: "2026-12-07T00:00:00.000Z",
    modified: "2026-12-07T00:00:00.000Z",
    name: "rasd signal",
    description:
      "A signal as rasd holds it: signal_type (pdq, vpdq, md5, sha256, video_md5, url, domain, text), its canonical value, " +
      "PDQ quality, labels {entity, behaviour, language}, source, first_seen and last_seen, and the bank's name.",
    schema:
      "Plain text: a property extension of indicator objects, with the properties signal_type (string), value (string), " +
      "quality (integer 0-100, PDQ only), labels (object of string lists entity, behaviour, language), source (string), " +
      "first_seen and last_seen (timestamps) and bank (string). rasd's docs/stix.md describes it.",
    version: "1.0",
    extension_types: ["property-extension"],
  };
}

export function rasdIdentity(): StixObject {
  return {
    type: "identity",
    spec_version: "2.1",
    id: SYSTEM_IDENTITY_ID,
    created: "2026-12-07T00:00:00.000Z",
    modified: "2026-12-07T00:00:00.000Z",
    name: "rasd",
    identity_class: "system",
  };
}

export function organisationIdentity(orgName: string, createdAt: number): StixObject {
  return {
    type: "identity",
    spec_version: "2.1",
    id: organisationIdentityId(orgName),
    created: iso(createdAt),
    modified: iso(createdAt),
    name: orgName,
    identity_class: "organization",
  };
}
