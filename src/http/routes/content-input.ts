/**
 * What a content submission is made of, and how it is checked: the JSON item's schema, the
 * multipart parts, times, texts and the row to store. The routes are in content.ts.
 */

import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { Type, type Static } from "typebox";
import { RasdError, describeError, isRasdError } from "../../core/errors.js";
import { canonicalAccountJson } from "../../kernels/accounts/index.js";
import { canonicalizeUrl, type ShortenerSet } from "../../kernels/url/index.js";
import { serviceImageLimits } from "../../media/decode-gate.js";
import type { Principal } from "../../services/access.js";
import { accountRecord } from "../../signals/types/account.js";
import type { ContentKind, NewContent } from "../../storage/ports/index.js";
import { StringOrInteger } from "../schemas/common.js";
import { checkFieldWhole, streamToFile, type UploadedFile } from "../upload.js";

/** An Idempotency-Key: 1..200 printable ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** The longest text (an item, or the caption of a URL, image or video), in UTF-16 code units, JSON or multipart. */
export const MAX_TEXT = 100_000;

const ITEM_FIELDS = {
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_TEXT })),
  content_id: Type.Optional(Type.String({ maxLength: 500 })),
  author_id: Type.Optional(Type.String({ maxLength: 500 })),
  posted_at: Type.Optional(StringOrInteger()),
  platform: Type.Optional(
    Type.String({ maxLength: 100, description: "The service within the member where it was seen" }),
  ),
  country: Type.Optional(Type.String({ maxLength: 2, description: "ISO 3166-1 alpha-2 country where it was seen" })),
  author: Type.Optional(
    Type.Union([Type.Object({}, { additionalProperties: true }), Type.String({ maxLength: 20_000 })], {
      description:
        "The author account (as in POST /v1/accounts: platform, handle, name, bio, avatar_pdq, links, mentions, …), an object or its JSON text (multipart). Matched against suspended accounts.",
    }),
  ),
};
/** A JSON submission: a URL or a text, and what is known of where it was seen. */
export const JSON_ITEM = Type.Object(ITEM_FIELDS, { additionalProperties: false });
/** One item of a batch: the same, with its own idempotency key. */
export const BATCH_ITEM = Type.Object(
  { ...ITEM_FIELDS, idempotency_key: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** The fields of a submission (a multipart one sends them as form fields). */
export type Fields = Static<typeof JSON_ITEM>;

const FIELD_NAMES = new Set(["url", "text", "content_id", "author_id", "posted_at", "platform", "country", "author"]);
const COUNTRY = /^[A-Za-z]{2}$/;

/** ISO 8601 as Date.parse reads it reliably: a date, optionally a time and a zone. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
/** 9999-12-31T23:59:59.999Z, the last instant with a four-digit ISO year. */
const MAX_POSTED_AT = 253_402_300_799_999;

/** A time given as ISO 8601 or epoch milliseconds, checked; null when not given. */
export function postedAt(value: string | number | undefined, field = "posted_at"): number | null {
  if (value === undefined || value === "") return null;
  const ms =
    typeof value === "number"
      ? value
      : /^\d{9,15}$/.test(value)
        ? Number(value)
        : ISO_8601.test(value)
          ? Date.parse(value)
          : NaN;
  if (!Number.isFinite(ms))
    throw new RasdError(
      "invalid",
      `${field}: not a date ("${String(value).slice(0, 40)}"); use ISO 8601 or epoch milliseconds`,
    );
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_POSTED_AT)
    throw new RasdError(
      "invalid",
      `${field}: ${String(value).slice(0, 40)} is out of range; use epoch milliseconds from 0 to ${MAX_POSTED_AT} (1970 to 9999)`,
    );
  return ms;
}

/** A text field, checked for length and valid Unicode; "" when not given. */
/** The author account given as an object or JSON text, checked, as canonical JSON; null when not given. */
export function authorAccount(field: string, value: unknown): string | null {
  if (value === undefined || value === "") return null;
  const raw = typeof value === "string" ? value : JSON.stringify(value);
  try {
    return canonicalAccountJson(accountRecord(raw));
  } catch (error) {
    if (error instanceof RasdError) throw new RasdError(error.code, `${field}: ${error.message}`);
    throw error;
  }
}

export function checkText(field: string, value: string | undefined, max: number): string {
  if (value === undefined) return "";
  if (value.length > max) throw new RasdError("invalid", `${field}: longer than ${max} characters`);
  // Lone surrogates cannot be stored as UTF-8; they come from broken clients.
  if (!value.isWellFormed())
    throw new RasdError("invalid", `${field}: contains an unpaired UTF-16 surrogate (not valid Unicode)`);
  return value;
}

/**
 * A multipart submission: its one file part and its fields. The file is streamed to the
 * data folder first (never buffered whole by the parser), checked (an image against the
 * size limit before it is read back), and read back once for the store, which keeps
 * accepted media in the database so that it survives a crash; the temporary file is removed.
 */
export async function readMultipart(
  req: FastifyRequest,
  dataDir: string,
): Promise<{ fields: Fields; kind: ContentKind; media: Buffer; mediaType: string }> {
  const held: { file?: UploadedFile } = {};
  try {
    const { fields, kind, file } = await readParts(req, dataDir, (f) => (held.file = f));
    if (file.size === 0) throw new RasdError("invalid", `the ${kind} file is empty (0 bytes)`);
    const maxBytes = kind === "image" ? serviceImageLimits().maxBytes : Number.MAX_SAFE_INTEGER;
    if (file.size > maxBytes)
      throw new RasdError("file.too_large", `the image is ${file.size} bytes; the limit is ${maxBytes}`);
    return { fields, kind, media: await file.read(maxBytes), mediaType: file.mimetype };
  } catch (error) {
    // busboy's own errors (no boundary, body cut short) carry no status: they are the client's.
    if (isRasdError(error) || typeof (error as { statusCode?: unknown }).statusCode === "number") throw error;
    throw new RasdError("invalid", `malformed multipart/form-data body: ${describeError(error)}`, { cause: error });
  } finally {
    await held.file?.remove();
  }
}

async function readParts(
  req: FastifyRequest,
  dataDir: string,
  onFile: (file: UploadedFile) => void,
): Promise<{ fields: Fields; kind: ContentKind; file: UploadedFile }> {
  const fields: Record<string, string> = {};
  let upload: { kind: ContentKind; file: UploadedFile } | undefined;
  for await (const part of req.parts()) {
    if (part.type === "file") {
      if (upload) throw new RasdError("invalid", "send exactly one file part (named image or video)");
      const kind = part.fieldname === "image" || part.fieldname === "video" ? part.fieldname : undefined;
      if (!kind) {
        part.file.resume();
        throw new RasdError("invalid", `file part "${part.fieldname}": name it "image" or "video"`);
      }
      upload = { kind, file: await streamToFile(part.file, dataDir, part.fieldname, part.mimetype) };
      onFile(upload.file);
    } else {
      if (!FIELD_NAMES.has(part.fieldname)) throw new RasdError("invalid", `unknown field "${part.fieldname}"`);
      checkFieldWhole(part);
      if (typeof part.value !== "string") throw new RasdError("invalid", `field "${part.fieldname}" must be text`);
      fields[part.fieldname] = part.value;
    }
  }
  if (!upload)
    throw new RasdError("invalid", 'missing the file part: send the media as a part named "image" or "video"');
  return { fields, ...upload };
}

/** Validates one submission and builds the row to store; `at` prefixes messages in batches. */
export function buildItem(
  who: Principal,
  key: string,
  kind: ContentKind,
  fields: Fields,
  media: Buffer | null,
  mediaType: string | null,
  shorteners: ShortenerSet,
  at: string,
): NewContent {
  // Text is the item itself, or the caption or message sent with a URL, image or video.
  const text = fields.text === undefined ? null : checkText(`${at}text`, fields.text, MAX_TEXT);
  const platform = checkText(`${at}platform`, fields.platform, 100).trim();
  const country = (fields.country ?? "").toUpperCase();
  const author = authorAccount(`${at}author`, fields.author);
  if (country && !COUNTRY.test(country))
    throw new RasdError(
      "invalid",
      `${at}country: "${country.slice(0, 10)}" is not an ISO 3166-1 alpha-2 code (like IQ)`,
    );
  let url: string | null = null;
  if (kind === "url") {
    url = checkText(`${at}url`, fields.url, 8192);
    try {
      canonicalizeUrl(url, { shorteners }); // throws a precise url.* error
    } catch (error) {
      if (at && error instanceof RasdError) throw new RasdError(error.code, `${at}url: ${error.message}`);
      throw error;
    }
  }
  return {
    orgId: who.orgId,
    personId: who.personId,
    idempotencyKey: key,
    requestHash: createHash("sha256")
      .update(
        JSON.stringify([
          kind,
          fields.content_id ?? "",
          fields.author_id ?? "",
          String(fields.posted_at ?? ""),
          url,
          text,
          // Appended only when given, so hashes of earlier requests stay the same.
          ...(platform || country ? [platform, country] : []),
          ...(author ? [author] : []),
        ]),
      )
      .update(media ?? Buffer.alloc(0))
      .digest("hex"),
    kind,
    contentId: checkText(`${at}content_id`, fields.content_id, 500),
    authorId: checkText(`${at}author_id`, fields.author_id, 500),
    postedAt: postedAt(fields.posted_at, `${at}posted_at`),
    mediaType,
    media,
    url,
    text,
    platform,
    country,
    author,
    receivedAt: Date.now(),
  };
}
