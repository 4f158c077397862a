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

/** The page's language (`<html lang>`) and viewport width name the file; the whole page is taken. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const lang = (await page.locator("html").getAttribute("lang")) || "und";
  const width = page.viewportSize()?.width ?? 0;
  const path = join(SCREENSHOTS_DIR, `${name}-${lang}-${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
