/**
 * HMA's /h routes — hash media at a URL or uploaded (photo → pdq; video → video_md5 and
 * vpdq) — and the media reading the /m and /c routes share: an upload of one file named
 * after its content type, or `?url=` fetched through the SSRF-safe download.
 */

import type { FastifyRequest } from "fastify";
import { describeError } from "../../../core/errors.js";
import { downloadMedia, isTooLargeError, isUnsafeUrlError, mediaKindOfContentType } from "../../../media/download.js";
import type { FetchedMedia } from "../../../media/remote-fetch.js";
import { hashMedia, type MediaKind } from "../../../services/media-hashing.js";
import { hmaDef, hmaMediaSignalTypes, type HmaSignalType } from "../../../signals/registry.js";
import { route, type RouteDef } from "../../route.js";
import { HmaHashes } from "../../schemas/hma.js";
import { readOneFileUpload } from "../../upload.js";
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
  readonly bytes: Buffer;
  /** Form fields sent with an upload. */
  readonly fields: Record<string, string>;
}

/** The hashes of `types` as HMA's hashers give them. */
async function hashFor(kind: ContentType, bytes: Uint8Array, types: readonly HmaSignalType[]): Promise<Hashed> {
  const hashed = await hashMedia(bytes, MEDIA_KIND[kind], types);
  const hashes: Partial<Record<HmaSignalType, string>> = {};
  for (const type of types) {
    const value = hashed.values[type];
    if (value !== undefined) hashes[type] = hmaDef(type).mediaValue?.(value, hashed) ?? value;
  }
  return { hashes, ...(hashed.pdq ? { pdqQuality: hashed.pdq.quality } : {}) };
}

/** The `types=` selection among a content type's signal types. */
function selectTypes(kind: ContentType, types: string | undefined): HmaSignalType[] {
  const all = hmaMediaSignalTypes(MEDIA_KIND[kind]);
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
export async function readUpload(req: FastifyRequest): Promise<Media> {
  if (!req.isMultipart()) fail(400, "Missing multipart/form-data file upload");
  const { file, fields } = await readOneFileUpload(req, () => fail(400, "Only one file allowed per request"));
  if (!file) fail(400, "Missing multipart/form-data file upload");
  if (file.field !== "photo" && file.field !== "video") fail(400, `no such content_type: '${file.field}'`);
  return { kind: file.field, bytes: file.bytes, fields };
}

/** Media hashing and fetching bound to the service's settings. */
export interface HmaMedia {
  /** `?url=` (with `?content_type=`, or from the answer's Content-Type) fetched, as HMA's hash-from-URL. */
  fetchMedia(url: string, contentType: string | undefined): Promise<Media>;
  /** The media's hashes for `?types=` (a comma-separated selection; undefined: all the media's types). */
  hashOf(media: Media, types: string | undefined): Promise<Hashed>;
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
        bytes: fetched.bytes,
        fields: {},
      };
    },
    hashOf: (media, types) => hashFor(media.kind, media.bytes, selectTypes(media.kind, types)),
  };
}

export function hmaHashingRoutes(media: HmaMedia): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/h/hash",
      access: "match.lookup",
      summary: "HMA: hash the media at a URL (photo → pdq; video → video_md5, vpdq)",
      tags: ["hma"],
      hmaErrors: true,
      schema: { querystring: stringParams("url", "content_type", "types"), response: { 200: HmaHashes } },
      handler: async (req) => {
        const { url, content_type, types } = req.query;
        const fetched = await media.fetchMedia(required(url, "url"), content_type);
        return (await media.hashOf(fetched, types)).hashes;
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
      handler: async (req) => (await media.hashOf(await readUpload(req), req.query.types)).hashes,
    }),
  ];
}
