/**
 * The URL-shortener list in use: the built-in one, plus the configured file's domains. Read
 * once by each composition root (the server and the CLI); both need it, so it lives here
 * rather than in either of them.
 */

import { readFileSync } from "node:fs";
import type { Config } from "../config/config.js";
import { RasdError } from "../core/errors.js";
import { DEFAULT_SHORTENERS, loadShortenerList, mergeShortenerSets, type ShortenerSet } from "../kernels/url/index.js";

/** The shorteners for `config`; a "usage" error when its file cannot be read. */
export function loadShorteners(config: Config): ShortenerSet {
  if (!config.shortenersFile) return DEFAULT_SHORTENERS;
  let text: string;
  try {
    text = readFileSync(config.shortenersFile, "utf8");
  } catch (error) {
    throw new RasdError(
      "usage",
      `cannot read the shortener list ${config.shortenersFile}: ${(error as Error).message}`,
    );
  }
  return mergeShortenerSets(DEFAULT_SHORTENERS, loadShortenerList(text));
}
