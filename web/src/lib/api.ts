/**
 * The web app's only way to the server: the public JSON API with a bearer token. Errors come
 * back as ApiError with the status and the API's code and message, so screens can show them
 * and the shell can send the person back to sign-in on a 401.
 */

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the client needs of fetch (the browser's, or a fake in tests). */
export type Fetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | FormData },
) => Promise<{ status: number; ok: boolean; text(): Promise<string>; blob?(): Promise<unknown> }>;

export interface ApiOptions {
  readonly fetch: Fetch;
  readonly token: () => string | undefined;
  /** Told of every 401 (the session expired or was ended elsewhere). */
  readonly onUnauthorized?: () => void;
}

/** The API's error body, `{"error": {"code", "message"}}`, or something readable from any other. */
export function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; message?: unknown };
    if (body.error && typeof body.error.message === "string")
      return new ApiError(status, String(body.error.code ?? "error"), body.error.message);
    if (typeof body.message === "string") return new ApiError(status, "error", body.message);
  } catch {
    // not JSON: fall through
  }
  if (status === 0) return new ApiError(0, "network", "the server cannot be reached");
  return new ApiError(
    status,
    `http_${status}`,
    `the server answered ${status}${text ? `: ${text.slice(0, 200)}` : ""}`,
  );
}

/** A query string from the defined values of `params`. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join("&")}` : "";
}

export class Api {
  constructor(private readonly options: ApiOptions) {}

  private headers(json: boolean): Record<string, string> {
    const token = this.options.token();
    return {
      accept: "application/json",
      ...(json ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };
  }

  /**
   * Sends a request; resolves with the parsed JSON body (undefined for 204). A FormData body
   * goes as multipart/form-data (a file upload; the browser writes the boundary), any other as JSON.
   */
  async request<T>(method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
    let res: Awaited<ReturnType<Fetch>>;
    const form = typeof FormData !== "undefined" && body instanceof FormData;
    try {
      res = await this.options.fetch(path, {
        method,
        headers: { ...this.headers(body !== undefined && !form), ...extra },
        ...(form ? { body } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, "network", "the server cannot be reached");
    }
    const text = await res.text();
    if (!res.ok) {
      const error = errorFrom(res.status, text);
      if (res.status === 401) this.options.onUnauthorized?.();
      throw error;
    }
    if (res.status === 204 || text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(res.status, "invalid_json", "the server's answer is not JSON");
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  post<T>(path: string, body: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>("POST", path, body, headers);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /** GET of bytes (media for review): the body as the fetch implementation's Blob. */
  async blob(path: string): Promise<unknown> {
    let res: Awaited<ReturnType<Fetch>>;
    try {
      res = await this.options.fetch(path, { method: "GET", headers: this.headers(false) });
    } catch {
      throw new ApiError(0, "network", "the server cannot be reached");
    }
    if (!res.ok || !res.blob) {
      const error = errorFrom(res.status, await res.text());
      if (res.status === 401) this.options.onUnauthorized?.();
      throw error;
    }
    return res.blob();
  }

  /** GET that answers undefined for a 404 (an API that is not there yet). */
  async optional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}
