/**
 * A whole rasd service for tests: services on a fresh database, the HTTP app (driven with
 * fastify's inject, or listening when `listen` is set), and a small coalition — three
 * organisations and an API key for every role in the first two.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { loadConfig } from "../../src/config/config.js";
import type { RateLimits } from "../../src/config/access-limits.js";
import type { Org } from "../../src/core/model.js";
import { ROLES, type Role } from "../../src/core/roles.js";
import { buildApp } from "../../src/http/app.js";
import type { RouteDef } from "../../src/http/route.js";
import { allRoutes } from "../../src/http/routes/index.js";
import {
  closeServices,
  openServices,
  startWorkers,
  type ServiceOptions,
  type Services,
} from "../../src/server/services.js";
import { sqliteDatabase, type TestDatabase } from "./databases.js";

export interface TestService {
  readonly s: Services;
  readonly app: FastifyInstance;
  readonly routes: readonly RouteDef[];
  /** "platform" (A), "government" (B) and "ngo" (C). */
  readonly orgs: { readonly a: Org; readonly b: Org; readonly c: Org };
  /** keys.a.admin, keys.b.curator, ... */
  readonly keys: {
    readonly a: Record<Role, string>;
    readonly b: Record<Role, string>;
    readonly c: Record<Role, string>;
  };
  /** Person ids behind the keys. */
  readonly people: {
    readonly a: Record<Role, number>;
    readonly b: Record<Role, number>;
    readonly c: Record<Role, number>;
  };
  /** inject() with a bearer key. */
  call(key: string | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Resolves when every queued content and webhook job is finished (or `timeoutMs` passes). */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  readonly db?: TestDatabase;
  readonly workers?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly backoffBaseMs?: number;
  readonly rateLimit?: number;
  /** Every limit (default: so generous no test meets one, unless `rateLimit` sets the per-key one). */
  readonly rateLimits?: RateLimits;
  /** Proxies whose X-Forwarded-For is believed. */
  readonly trustProxy?: readonly string[];
  /** Who answers link checks' DNS questions (test/support/link-hosts.ts's loopback names). */
  readonly linkResolve?: ServiceOptions["linkResolve"];
}

/** Limits no test meets by accident. */
const GENEROUS = { rate: 1_000_000, burst: 2_000_000 };
export const NO_LIMITS: RateLimits = {
  key: GENEROUS,
  person: GENEROUS,
  org: GENEROUS,
  failedAuth: GENEROUS,
  signIn: GENEROUS,
};

export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const db = options.db ?? sqliteDatabase();
  const ownData = db.url.startsWith("sqlite:") ? undefined : mkdtempSync(join(tmpdir(), "rasd-test-data-"));
  const config = loadConfig(
    {
      db: db.url,
      // The database's folder for SQLite; a folder of its own on PostgreSQL (the secret key file lives there).
      data: db.url.startsWith("sqlite:") ? db.url.replace(/^sqlite:/, "").replace(/\/[^/]*$/, "") : ownData,
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    },
    { RASD_WEBHOOK_ALLOW_PRIVATE: "1", ...options.env },
  );
  const s = await openServices(config, {
    defaultMetrics: false,
    backoffBaseMs: options.backoffBaseMs ?? 20,
    ...(options.linkResolve ? { linkResolve: options.linkResolve } : {}),
  });
  const a = await s.banks.createOrg("Platform A", "platform");
  const b = await s.banks.createOrg("Government B", "government");
  const c = await s.banks.createOrg("NGO C", "ngo");
  const keys = { a: {} as Record<Role, string>, b: {} as Record<Role, string>, c: {} as Record<Role, string> };
  const people = { a: {} as Record<Role, number>, b: {} as Record<Role, number>, c: {} as Record<Role, number> };
  for (const [k, org] of [
    ["a", a],
    ["b", b],
    ["c", c],
  ] as const) {
    for (const role of ROLES) {
      const key = await s.access.createKey(org, role, `${k}-${role}`);
      keys[k][role] = key.token;
      people[k][role] = key.person.id;
    }
  }
  const routes = allRoutes(s);
  const r = options.rateLimit;
  const app = await buildApp({
    access: s.access,
    routes,
    rateLimits:
      options.rateLimits ??
      (r ? { ...NO_LIMITS, key: { rate: r, burst: r * 2 }, person: { rate: r, burst: r * 2 } } : NO_LIMITS),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  });
  await startWorkers(s, options.workers ?? true);
  return {
    s,
    app,
    routes,
    orgs: { a, b, c },
    keys,
    people,
    call: (key, o) =>
      app.inject({ ...o, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...o.headers } }),
    drain: async (timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const counts = await s.jobs.counts();
        const busy = Object.entries(counts).some(([k, n]) => n > 0 && !k.endsWith(".dead"));
        if (!busy) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`jobs still queued after ${timeoutMs} ms: ${JSON.stringify(await s.jobs.counts())}`);
    },
    close: async () => {
      await app.close();
      await closeServices(s);
      if (!options.db) await db.drop();
      if (ownData) rmSync(ownData, { recursive: true, force: true });
    },
  };
}

/** A JSON body, parsed (fails the test with the raw text if it is not JSON). */
export function json<T = Record<string, unknown>>(r: LightMyRequestResponse): T {
  try {
    return JSON.parse(r.body) as T;
  } catch {
    throw new Error(`not JSON (HTTP ${r.statusCode}): ${r.body.slice(0, 300)}`);
  }
}
