/**
 * An account record as banked and matched: what a platform knows of a (suspended) account.
 * Its canonical form is JSON with a fixed key order and without empty fields, so equal
 * records have equal values.
 */

import { RasdError } from "../../core/errors.js";

export interface AccountRecord {
  /** Platform slug, e.g. "twitter", "telegram". */
  readonly platform: string;
  /** The platform's own id of the account (stable across handle changes). */
  readonly id?: string;
  readonly handle: string;
  readonly name?: string;
  readonly bio?: string;
  /** PDQ hash of the avatar, 64 lower-case hex digits. */
  readonly avatarPdq?: string;
  /** Links in the profile and the posts (canonical URLs or hosts). */
  readonly links?: readonly string[];
  /** Accounts it mentions or is tied to (same person, network), as handles. */
  readonly mentions?: readonly string[];
  /** Dates, ISO 8601 (YYYY-MM-DD or a full timestamp). */
  readonly created?: string;
  readonly suspended?: string;
  /** Why it was suspended: behaviour labels. */
  readonly reason?: readonly string[];
}

const MAX_FIELD = 2_000;
const MAX_LIST = 200;
const SLUG_RE = /^[a-z0-9][a-z0-9._-]{0,39}$/;
const PDQ_RE = /^[0-9a-f]{64}$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
const KEYS = new Set([
  "platform",
  "id",
  "handle",
  "name",
  "bio",
  "avatar_pdq",
  "avatarPdq",
  "links",
  "mentions",
  "created",
  "suspended",
  "reason",
]);

function invalid(message: string): never {
  throw new RasdError("invalid", `account: ${message}`);
}

function str(o: Record<string, unknown>, key: string, max = MAX_FIELD): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") invalid(`${key} must be a string`);
  if (v.length > max) invalid(`${key} is ${v.length} characters, over ${max}`);
  if (!v.isWellFormed()) invalid(`${key} has unpaired surrogates`);
  return v.normalize("NFC").trim() || undefined;
}

function list(o: Record<string, unknown>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) invalid(`${key} must be an array of strings`);
  if (v.length > MAX_LIST) invalid(`${key} has ${v.length} entries, over ${MAX_LIST}`);
  const out = [...new Set((v as string[]).map((x) => x.trim()).filter((x) => x !== ""))].sort();
  return out.length > 0 ? out : undefined;
}

function date(o: Record<string, unknown>, key: string): string | undefined {
  const v = str(o, key, 40);
  if (v !== undefined && (!DATE_RE.test(v) || Number.isNaN(Date.parse(v))))
    invalid(`${key} "${v}" is not an ISO 8601 date`);
  return v;
}

/**
 * Validates an account given as an object (snake_case `avatar_pdq` or camelCase) and returns
 * the record; throws RasdError "invalid" naming the field at fault.
 */
export function parseAccount(input: unknown): AccountRecord {
  if (typeof input !== "object" || input === null || Array.isArray(input)) invalid("must be a JSON object");
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.has(k)) invalid(`unknown field "${k}"`);
  const platform = str(o, "platform", 40)?.toLowerCase();
  if (!platform || !SLUG_RE.test(platform)) invalid("platform must be a slug such as twitter");
  const handle = str(o, "handle", 100)?.replace(/^@/, "");
  if (!handle) invalid("handle is required");
  const avatar = str(o, "avatar_pdq", 64) ?? str(o, "avatarPdq", 64);
  if (avatar !== undefined && !PDQ_RE.test(avatar.toLowerCase()))
    invalid("avatar_pdq must be 64 hexadecimal digits (a PDQ hash)");
  const id = str(o, "id", 100);
  const name = str(o, "name", 200);
  const bio = str(o, "bio");
  const links = list(o, "links");
  const mentions = list(o, "mentions")?.map((m) => m.replace(/^@/, "").toLowerCase());
  const created = date(o, "created");
  const suspended = date(o, "suspended");
  const reason = list(o, "reason");
  return {
    platform,
    ...(id !== undefined ? { id } : {}),
    handle,
    ...(name !== undefined ? { name } : {}),
    ...(bio !== undefined ? { bio } : {}),
    ...(avatar !== undefined ? { avatarPdq: avatar.toLowerCase() } : {}),
    ...(links ? { links } : {}),
    ...(mentions ? { mentions: [...new Set(mentions)].sort() } : {}),
    ...(created !== undefined ? { created } : {}),
    ...(suspended !== undefined ? { suspended } : {}),
    ...(reason ? { reason } : {}),
  };
}

/** The canonical JSON of a record (fixed key order, snake_case, empty fields left out). */
export function canonicalAccountJson(a: AccountRecord): string {
  return JSON.stringify({
    platform: a.platform,
    id: a.id,
    handle: a.handle,
    name: a.name,
    bio: a.bio,
    avatar_pdq: a.avatarPdq,
    links: a.links,
    mentions: a.mentions,
    created: a.created,
    suspended: a.suspended,
    reason: a.reason,
  });
}

/** Parses a canonical (or any) account JSON text. */
export function parseAccountJson(text: string): AccountRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid("value is not JSON");
  }
  return parseAccount(parsed);
}
