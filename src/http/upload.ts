/**
 * Reading a multipart/form-data upload of one file (HMA's /h/hash, /m/lookup and
 * /c/bank/…/content, and POST /v1/content): its file part streamed to a temporary file in
 * the data folder (hashed with MD5 and SHA-256 on the way, never held whole in memory), and
 * its text fields, refusing a second file and any field cut at the size limit.
 */

import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyRequest } from "fastify";
import { RasdError } from "../core/errors.js";
import { readFileBounded } from "../media/files.js";

/** A multipart text field's size limit, in bytes (`fieldSize` where @fastify/multipart is registered). */
export const FIELD_SIZE_LIMIT = 512 * 1024;

/** An uploaded file, on disk until `remove()`. */
export interface UploadedFile {
  /** The file part's field name. */
  readonly field: string;
  readonly mimetype: string;
  readonly path: string;
  readonly size: number;
  readonly md5: string;
  readonly sha256: string;
  /** The file's bytes, read back (refused with file.too_large past `maxBytes`). */
  read(maxBytes: number): Promise<Buffer>;
  /** Deletes the temporary file (idempotent). */
  remove(): Promise<void>;
}

export interface OneFileUpload {
  /** The file part (undefined: no file was sent). */
  readonly file: UploadedFile | undefined;
  /** Text fields sent with it. */
  readonly fields: Record<string, string>;
}

/** Temporary uploads older than this are removed when a process first uploads (left by a kill). */
const STALE_MS = 60 * 60 * 1000;
const swept = new Set<string>();

/** The folder for temporary uploads, `<data>/uploads` (0700), swept of stale files once per process. */
async function uploadDir(dataDir: string): Promise<string> {
  const dir = join(dataDir, "uploads");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!swept.has(dir)) {
    swept.add(dir);
    for (const name of await readdir(dir).catch(() => [])) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_MS) await rm(path, { force: true });
    }
  }
  return dir;
}

/** Streams `source` to a new file in `<dataDir>/uploads`, hashing it on the way. */
export async function streamToFile(
  source: Readable,
  dataDir: string,
  field: string,
  mimetype: string,
): Promise<UploadedFile> {
  const path = join(await uploadDir(dataDir), `upload-${process.pid}-${randomBytes(8).toString("hex")}`);
  const md5 = createHash("md5");
  const sha256 = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      md5.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const remove = () => rm(path, { force: true });
  try {
    await pipeline(source, tap, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await remove();
    throw error;
  }
  // Past fileSize, busboy ends the file stream early and marks it truncated (the error
  // @fastify/multipart throws is only from toBuffer()).
  if ((source as Readable & { truncated?: boolean }).truncated) {
    await remove();
    // busboy stops the file at the limit: the bytes read are the limit.
    throw new RasdError(
      "file.too_large",
      `the ${field} file is too large: over the server's upload limit of ${size} bytes for one file; nothing was stored`,
    );
  }
  return {
    field,
    mimetype,
    path,
    size,
    md5: md5.digest("hex"),
    sha256: sha256.digest("hex"),
    read: (maxBytes) => readFileBounded(path, maxBytes),
    remove,
  };
}

/** Refuses a text field that the multipart parser cut at its size limit, naming it. */
export function checkFieldWhole(part: { fieldname: string; valueTruncated?: boolean }): void {
  if (part.valueTruncated)
    throw new RasdError(
      "field.too_large",
      `field "${part.fieldname}" is over the ${FIELD_SIZE_LIMIT} byte limit for a multipart field; nothing was stored`,
    );
}

/**
 * The one file of a multipart request, streamed to disk. A second file is not read: `tooMany`
 * is called (and throws the caller's error); the request must be multipart
 * (`req.isMultipart()`). The caller removes the file (`file.remove()`) when done; on an error
 * here it is removed already.
 */
export async function readOneFileUpload(
  req: FastifyRequest,
  dataDir: string,
  tooMany: () => never,
): Promise<OneFileUpload> {
  let file: UploadedFile | undefined;
  const fields: Record<string, string> = {};
  try {
    // Room for a second file, so that it can be refused in the caller's words.
    for await (const part of req.parts({ limits: { files: 2 } })) {
      if (part.type === "file") {
        if (file) {
          part.file.resume();
          tooMany();
        }
        file = await streamToFile(part.file, dataDir, part.fieldname, part.mimetype);
      } else {
        checkFieldWhole(part);
        if (typeof part.value === "string") fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    await file?.remove();
    if ((error as { code?: unknown }).code === "FST_FILES_LIMIT") tooMany();
    throw error;
  }
  return { file, fields };
}
