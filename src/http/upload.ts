/**
 * Reading a multipart/form-data upload of one file (HMA's /h/hash, /m/lookup and
 * /c/bank/…/content): its file part and its text fields, refusing a second file.
 */

import type { FastifyRequest } from "fastify";

export interface OneFileUpload {
  /** The file part's field name and bytes (undefined: no file was sent). */
  readonly file: { readonly field: string; readonly bytes: Buffer } | undefined;
  /** Text fields sent with it. */
  readonly fields: Record<string, string>;
}

/**
 * The one file of a multipart request. A second file is not read: `tooMany` is called (and
 * throws the caller's error); the request must be multipart (`req.isMultipart()`).
 */
export async function readOneFileUpload(req: FastifyRequest, tooMany: () => never): Promise<OneFileUpload> {
  let file: { field: string; bytes: Buffer } | undefined;
  const fields: Record<string, string> = {};
  try {
    // Room for a second file, so that it can be refused in the caller's words.
    for await (const part of req.parts({ limits: { files: 2 } })) {
      if (part.type === "file") {
        if (file) {
          part.file.resume();
          tooMany();
        }
        file = { field: part.fieldname, bytes: await part.toBuffer() };
      } else if (typeof part.value === "string") {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === "FST_FILES_LIMIT") tooMany();
    throw error;
  }
  return { file, fields };
}
