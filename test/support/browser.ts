/**
 * What the chromium tests share: Debian's chromium (skipped without it, unless
 * RASD_REQUIRE_BROWSER=1), the web bundle built when web/ is newer, and axe-core run in the
 * page (serious and critical violations reported).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHROMIUM = "/usr/bin/chromium";

/** Whether chromium is here; throws when it must be (RASD_REQUIRE_BROWSER=1) and is not. */
export function browserAvailable(testFile: string): boolean {
  const have = existsSync(CHROMIUM);
  if (!have && process.env.RASD_REQUIRE_BROWSER === "1")
    throw new Error(`RASD_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install chromium)`);
  if (!have) process.stderr.write(`SKIP ${testFile}: ${CHROMIUM} is not installed (apt-get install chromium)\n`);
  return have;
}

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
export function ensureWebBundle(): void {
  const page = join(ROOT, "dist", "web", "index.html");
  if (existsSync(page) && statSync(page).mtimeMs >= newest(join(ROOT, "web"))) return;
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-web.mjs")], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, `build-web failed: ${r.stderr}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/** Fails when the page is wider than the window (it would scroll sideways). */
export async function assertNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scroll, client } = (await page.evaluate(
    "({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })",
  )) as { scroll: number; client: number };
  assert.ok(scroll <= client + 1, `${what}: the page scrolls sideways (${scroll} > ${client})`);
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

/**
 * axe-core's serious and critical violations on the page as it is now ("id: help (targets)").
 * The page's context must bypass the CSP (`bypassCSP: true`): axe is injected as a script.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.addScriptTag({ content: source });
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as AxeResult;
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`);
}
