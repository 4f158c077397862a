/**
 * Configuration, parsed once: from command-line options, then environment variables, then
 * defaults. Every setting is listed here with its meaning (docs/configuration.md mirrors it).
 *
 * | setting | option | environment | default |
 * | data folder | --data DIR | RASD_DATA | ./data |
 * | database URL | --db URL | RASD_DATABASE_URL | sqlite:<data>/rasd.db |
 * | shortener list file | --shorteners FILE | RASD_SHORTENERS | built-in list |
 */

import { resolve, join } from "node:path";

export interface Config {
  readonly dataDir: string;
  readonly databaseUrl: string;
  readonly shortenersFile: string | undefined;
}

export interface ConfigOverrides {
  readonly data?: string;
  readonly db?: string;
  readonly shorteners?: string;
}

export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(overrides.data ?? env.RASD_DATA ?? "./data");
  const databaseUrl = overrides.db ?? env.RASD_DATABASE_URL ?? `sqlite:${join(dataDir, "rasd.db")}`;
  const shortenersFile = overrides.shorteners ?? env.RASD_SHORTENERS ?? undefined;
  return Object.freeze({ dataDir, databaseUrl, shortenersFile });
}
