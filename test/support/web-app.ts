/**
 * The web app for browser tests: a real service (the routes, services and SQLite store `rasd
 * serve` runs, with the --demo data, its items matched and queued) serving the built bundle,
 * and Debian's chromium driven by playwright-core. Without /usr/bin/chromium, `haveBrowser`
 * is false (RASD_REQUIRE_BROWSER=1 makes that an error).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { loadConfig } from "../../src/config/config.js";
import { buildApp } from "../../src/http/app.js";
import { allRoutes } from "../../src/http/routes/index.js";
import { loadDemo } from "../../src/server/demo.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { REPO_ROOT } from "./shared.js";

export const CHROMIUM = "/usr/bin/chromium";
export const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.RASD_REQUIRE_BROWSER === "1")
  throw new Error(`RASD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install chromium)`);

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

/** Builds dist/web when it is missing or older than web/. */
export function ensureBundle(): void {
  const page = join(REPO_ROOT, "dist", "web", "index.html");
  if (existsSync(page) && statSync(page).mtimeMs >= newest(join(REPO_ROOT, "web"))) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "build-web.mjs")], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `build-web failed: ${r.stderr}`);
}

export interface WebApp {
  readonly s: Services;
  readonly base: string;
  readonly browser: Browser;
  /** The demo's API keys ("<org> <role>") and "password of every demo-<role>". */
  readonly keys: Record<string, string>;
  readonly password: string;
  /** A JSON call to the API with a bearer token. */
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** A page in a new context; the machine may be busy, so waits are generous. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export async function startWebApp(): Promise<WebApp> {
  ensureBundle();
  const dir = mkdtempSync(join(tmpdir(), "rasd-web-"));
  const config = loadConfig({ data: dir, db: `sqlite:${join(dir, "rasd.db")}` }, { RASD_SQLITE_SYNC: "OFF" });
  const s = await openServices(config, { defaultMetrics: false });
  const keys = (await loadDemo(s))!;
  const app: FastifyInstance = await buildApp({ access: s.access, routes: allRoutes(s), rateLimit: 1_000_000 });
  const base = await app.listen({ host: "127.0.0.1", port: 0 });
  await startWorkers(s);
  for (let i = 0; i < 600; i++) {
    const counts = await s.jobs.counts();
    if (!Object.entries(counts).some(([k, n]) => k.startsWith("content.") && !k.endsWith(".dead") && n > 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    s,
    base,
    browser,
    keys,
    password: keys["password of every demo-<role>"]!,
    api: async (token, method, path, body) => {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: (await r.json().catch(() => undefined)) as unknown };
    },
    newPage: async (options = {}) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
      context.setDefaultTimeout(90_000);
      return context.newPage();
    },
    close: async () => {
      await browser.close();
      await app.close();
      await closeServices(s);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
