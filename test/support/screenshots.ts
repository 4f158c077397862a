/**
 * Screenshots the browser tests keep: written to RASD_SCREENSHOTS_DIR (default
 * test-output/screenshots under the repository), a folder CI keeps for the run. Names say the
 * screen, the language and the width: `admin-keys.ar.390.png`.
 */

import { mkdirSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The folder, created if missing. */
export function screenshotsDir(): string {
  const configured = process.env.RASD_SCREENSHOTS_DIR;
  const dir = configured
    ? isAbsolute(configured)
      ? configured
      : join(ROOT, configured)
    : join(ROOT, "test-output", "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What a screenshot needs of a page (playwright-core's Page). */
interface Shootable {
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}

/** Saves a full-page screenshot as `<name>.<lang>.<width>.png`; answers its path. */
export async function screenshot(page: Shootable, name: string, lang: string, width: number): Promise<string> {
  const path = join(screenshotsDir(), `${name}.${lang}.${width}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
