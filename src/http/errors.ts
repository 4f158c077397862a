/**
 * Errors to HTTP answers. rasd's own routes answer `{"error": {"code", "message"}}`; the
 * HMA-compatible routes answer `{"message"}` as HMA does. A 500 never carries internals.
 */

import type { FastifyError } from "fastify";
import { DISK_FULL_MESSAGE, isDiskFull } from "../core/disk-full.js";
import { isRasdError, type ErrorCode } from "../core/errors.js";
import { BUSY_RETRY_AFTER_SECONDS } from "../media/decode-gate.js";

export interface HttpError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Seconds, for a Retry-After header (503 busy). */
  readonly retryAfter?: number;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  not_found: 404,
  not_acceptable: 406,
  "media.expired": 410,
  conflict: 409,
  "auth.missing": 401,
  "auth.invalid": 401,
  "auth.forbidden": 403,
  "auth.expired": 401,
  "auth.locked": 429,
  rate_limited: 429,
  "review.daily_limit": 429,
  "file.too_large": 413,
  "fetch.too_large": 413,
  "image.too_many_pixels": 413,
  "image.too_many_bytes": 413,
  "field.too_large": 413,
  "busy.decode": 503,
  "busy.video": 503,
  "storage.full": 507,
  "busy.backlog": 503,
};

/** Ajv's validation errors, in words that name the field. */
function describeValidation(error: FastifyError): string {
  const where = error.validationContext ?? "body";
  const first = error.validation?.[0];
  if (!first) return error.message;
  const path = `${where}${first.instancePath.replace(/\//g, ".")}`;
  const p = first.params as Record<string, unknown>;
  switch (first.keyword) {
    case "additionalProperties":
      return `${path}: unknown field "${String(p.additionalProperty)}"`;
    case "required":
      return `${path}: missing required field "${String(p.missingProperty)}"`;
    case "enum":
      return `${path}: must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `${path}: ${first.message ?? "is invalid"}`;
  }
}

export function toHttpError(error: unknown, contentType?: string): HttpError {
  if (isDiskFull(error)) return { status: 507, code: "storage.full", message: DISK_FULL_MESSAGE };
  if (isRasdError(error)) {
    const status = STATUS[error.code] ?? 400;
    return {
      status,
      code: error.code,
      message: error.message,
      ...(status === 503 ? { retryAfter: BUSY_RETRY_AFTER_SECONDS } : {}),
    };
  }
  const e = error as FastifyError & { statusCode?: number };
  if (e.validation) return { status: 400, code: "invalid", message: describeValidation(e) };
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
    case "FST_PARTS_LIMIT":
      return { status: 413, code: "too_large", message: e.message };
    case "FST_FILES_LIMIT":
      return { status: 400, code: "invalid", message: "send exactly one file part (named image or video)" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        status: 415,
        code: "unsupported_media_type",
        message:
          `unsupported Content-Type ${contentType ? JSON.stringify(contentType.slice(0, 100)) : "(none)"}: ` +
          "send application/json, or multipart/form-data where a route takes uploads",
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "invalid", message: "the JSON body is empty" };
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "expected multipart/form-data" };
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500)
    return { status: e.statusCode, code: e.code ?? "invalid", message: e.message };
  return { status: 500, code: "internal", message: "internal error; it has been logged" };
}
