/**
 * Screenshots written by the browser tests, one convention for every screen's test: the
 * folder in RASD_SCREENSHOTS_DIR (default test-output/screenshots, git-ignored; CI keeps it
 * for the run), one file per screen, language and width: `${name}-${lang}-${width}.png`.
 */

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { REPO_ROOT } from "./shared.js";

export const SCREENSHOTS_DIR = process.env.RASD_SCREENSHOTS_DIR || join(REPO_ROOT, "test-output", "screenshots");

/**
 * The whole page. The language and width name the file: given, or read from the page's
 * `<html lang>` and viewport.
 */
export async function screenshot(page: Page, name: string, lang?: string, width?: number): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const language = lang ?? ((await page.locator("html").getAttribute("lang")) || "und");
  const size = width ?? page.viewportSize()?.width ?? 0;
  const path = join(SCREENSHOTS_DIR, `${name}-${language}-${size}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
