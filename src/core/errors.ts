/**
 * Domain errors: one class with a string `code`, translated once at each edge (the CLI
 * maps them to a one-line message and an exit status; HTTP will map them to statuses).
 */

export type ErrorCode =
  | "file.not_found"
  | "file.unreadable"
  | "file.not_a_file"
  | "file.too_large"
  | "field.too_large"
  | "image.empty"
  | "image.unsupported_format"
  | "image.too_many_pixels"
  | "image.too_many_bytes"
  | "image.truncated"
  | "image.corrupt"
  | "video.truncated"
  | "url.invalid"
  | "url.too_long"
  | "url.unsupported_scheme"
  | "fetch.scheme"
  | "fetch.credentials"
  | "fetch.private_address"
  | "fetch.redirects"
  | "fetch.status"
  | "fetch.too_large"
  | "fetch.timeout"
  | "fetch.network"
  | "auth.missing"
  | "auth.invalid"
  | "auth.forbidden"
  | "auth.expired"
  | "auth.locked"
  | "rate_limited"
  | "busy.decode"
  | "busy.video"
  | "busy.backlog"
  | "usage"
  | "storage.migration"
  | "storage.full"
  | "storage.not_migrated"
  | "media.expired"
  | "review.daily_limit"
  | "nats.stream"
  | "not_found"
  | "not_acceptable"
  | "conflict"
  | "invalid";

export class RasdError extends Error {
  override readonly name = "RasdError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRasdError(error: unknown): error is RasdError {
  return error instanceof RasdError;
}

/** A one-line description of any thrown value, for logs and the CLI. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
