/**
 * HMA's /h routes — hash media at a URL or uploaded (photo → pdq; video → video_md5 and
 * vpdq) — and the media reading the /m and /c routes share: an upload of one file named
 * after its content type, or `?url=` fetched through the SSRF-safe download.
 */

import type { FastifyRequest } from "fastify";
import { describeError } from "../../../core/errors.js";
import { inspectImage } from "../../../media/image-decode.js";
import { downloadMedia, isTooLargeError, isUnsafeUrlError, mediaKindOfContentType } from "../../../media/download.js";
import type { FetchedMedia } from "../../../media/remote-fetch.js";
import { hashMedia, type MediaKind } from "../../../services/media-hashing.js";
import { hmaDef, hmaMediaSignalTypes, type HmaSignalType } from "../../../signals/registry.js";
import { route, type RouteDef } from "../../route.js";
import { HmaHashes } from "../../schemas/hma.js";
import { serviceImageLimits } from "../../../media/decode-gate.js";
import { readOneFileUpload, type UploadedFile } from "../../upload.js";
import { fail, required, stringParams, type HmaContext } from "./common.js";

/** HMA's content types. */
type ContentType = "photo" | "video";
const MEDIA_KIND: Record<ContentType, MediaKind> = { photo: "image", video: "video" };

export interface Hashed {
  /** Signal type → hash, as /h/hash answers. */
  readonly hashes: Partial<Record<HmaSignalType, string>>;
  readonly pdqQuality?: number;
}

export interface Media {
  readonly kind: ContentType;
  /** The media's bytes: fetched from a URL, or an upload (on disk until hashed). */
  readonly source: Buffer | UploadedFile;
  /** Form fields sent with an upload. */
  readonly fields: Record<string, string>;
}

/** Removes an uploaded file (nothing for fetched bytes). */
export async function discard(media: Media): Promise<void> {
  if (!Buffer.isBuffer(media.source)) await media.source.remove();
}

/**
 * The hashes of `types` as HMA's hashers give them. Decodes and video hashes go through the
 * process's gates (a request waits briefly for a slot, then gets 503 busy.*); an uploaded
 * image is read back from disk only once it has a slot, a video is hashed from its file.
 */
async function hashFor(kind: ContentType, media: Media, types: readonly HmaSignalType[]): Promise<Hashed> {
  const options = { wait: "request" as const, limitHint: "", budgetHint: "" };
  const source = media.source;
  const limits = serviceImageLimits();
  const maxBytes = limits.maxBytes;
  // The header is checked before waiting for a decode slot: a bomb is refused (413) at once.
  if (kind === "photo") await inspectImage(source, { limits, limitHint: "", budgetHint: "" });
  const hashed = Buffer.isBuffer(source)
    ? await hashMedia(source, MEDIA_KIND[kind], types, options)
    : await hashMedia(kind === "photo" ? () => source.read(maxBytes) : new Uint8Array(0), MEDIA_KIND[kind], types, {
        ...options,
        path: source.path,
        digests: { md5: source.md5, sha256: source.sha256 },
      });
  const hashes: Partial<Record<HmaSignalType, string>> = {};
  for (const type of types) {
    const value = hashed.values[type];
    if (value !== undefined) hashes[type] = hmaDef(type).mediaValue?.(value, hashed) ?? value;
  }
  return { hashes, ...(hashed.pdq ? { pdqQuality: hashed.pdq.quality } : {}) };
}

/** The `types=` selection among a content type's signal types. */
function selectTypes(kind: ContentType, types: string | undefined, disabled: ReadonlySet<string>): HmaSignalType[] {
  const all = hmaMediaSignalTypes(MEDIA_KIND[kind]).filter((t) => !disabled.has(t));
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

/** One file part named after its content type (`photo` or `video`), as HMA takes uploads. */
export async function readUpload(req: FastifyRequest, dataDir: string): Promise<Media> {
  if (!req.isMultipart()) fail(400, "Missing multipart/form-data file upload");
  const { file, fields } = await readOneFileUpload(req, dataDir, () => fail(400, "Only one file allowed per request"));
  if (!file) fail(400, "Missing multipart/form-data file upload");
  const field = file.field;
  if (field !== "photo" && field !== "video") {
    await file.remove();
    fail(400, `no such content_type: '${field}'`);
  }
  return { kind: field, source: file, fields };
}

/** Media hashing and fetching bound to the service's settings. */
export interface HmaMedia {
  /** `?url=` (with `?content_type=`, or from the answer's Content-Type) fetched, as HMA's hash-from-URL. */
  fetchMedia(url: string, contentType: string | undefined): Promise<Media>;
  /**
   * The media's hashes for `?types=` (a comma-separated selection; undefined: all the media's
   * types but the `disabled` ones); removes an upload.
   */
  hashOf(media: Media, types: string | undefined, disabled: ReadonlySet<string>): Promise<Hashed>;
  /** The request's upload, streamed to the data folder (hashOf or discard removes it). */
  readUpload(req: FastifyRequest): Promise<Media>;
}

export function hmaMedia(c: HmaContext): HmaMedia {
  const download = async (url: string): Promise<FetchedMedia> => {
    try {
      return await downloadMedia(url, { allowPrivate: c.s.config.fetchAllowPrivate });
    } catch (error) {
      if (isTooLargeError(error)) fail(413, "Content too large");
      // What HMA's URL check refuses: other schemes, credentials, non-public addresses.
      if (isUnsafeUrlError(error)) fail(400, `Invalid or unsafe URL provided: ${describeError(error)}`);
      fail(400, `Failed to fetch URL: ${describeError(error)}`);
    }
  };
  return {
    async fetchMedia(url, contentType) {
      const given = contentTypeParam(contentType);
      const fetched = await download(url);
      const header = fetched.contentType ?? "";
      const kind = mediaKindOfContentType(header);
      return {
        kind:
          given ??
          (kind === "image"
            ? "photo"
            : kind === "video"
              ? "video"
              : fail(
                  400,
                  `unsupported url ContentType: '${header}', if you know the expected type, provide it with the content_type query param`,
                )),
        source: fetched.bytes,
        fields: {},
      };
    },
    async hashOf(media, types, disabled) {
      try {
        return await hashFor(media.kind, media, selectTypes(media.kind, types, disabled));
      } finally {
        await discard(media);
      }
    },
    readUpload: (req) => readUpload(req, c.s.config.dataDir),
  };
}

export function hmaHashingRoutes(c: HmaContext, media: HmaMedia): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/h/hash",
      access: "match.lookup",
      summary: "HMA: hash the media at a URL (photo → pdq; video → video_md5, vpdq)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("url", "content_type", "types"), response: { 200: HmaHashes } },
      handler: async (req, _reply, who) => {
        const { url, content_type, types } = req.query;
        const fetched = await media.fetchMedia(required(url, "url"), content_type);
        return (await media.hashOf(fetched, types, await c.disabledTypes(who))).hashes;
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
      schema: { querystring: stringParams("types"), response: { 200: HmaHashes } },
      handler: async (req, _reply, who) => {
        const upload = await media.readUpload(req);
        return (await media.hashOf(upload, req.query.types, await c.disabledTypes(who))).hashes;
      },
    }),
  ];
}
