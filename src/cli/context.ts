/**
 * What commands that touch the database share: the --data and --db options, opening the
 * store and the services on it, and closing them afterwards.
 */

import type { Command } from "./commander.js";
import { loadConfig, type Config } from "../config/config.js";
import type { ShortenerSet } from "../kernels/url/index.js";
import { BankService } from "../services/banks.js";
import { Matcher } from "../services/matcher.js";
import { loadShorteners } from "../services/shorteners.js";
import type { SignalStore, Stores } from "../storage/ports/index.js";

export interface StoreOptions {
  data?: string;
  db?: string;
  shorteners?: string;
}

/** Adds --data, --db and --shorteners to a command. */
export function withStoreOptions(cmd: Command): Command {
  return cmd
    .option("--data <dir>", "data folder (default ./data, or RASD_DATA)")
    .option(
      "--db <url>",
      "database URL: sqlite:FILE or postgres://... (default sqlite:DATA/rasd.db, or RASD_DATABASE_URL)",
    )
    .option("--shorteners <file>", "extra URL-shortener domains, one per line (or RASD_SHORTENERS)");
}

export interface Context {
  readonly config: Config;
  /** The signal store (banks, signals, organisations): `stores.signals`. */
  readonly store: SignalStore;
  /** Every storage port (people and keys, rules, measurement reads, ...). */
  readonly stores: Stores;
  readonly banks: BankService;
  readonly shorteners: ShortenerSet;
  /** A matcher loaded with every active signal (loaded on first use). */
  matcher(): Promise<Matcher>;
}

/** Opens the store, runs `fn`, and always closes it. */
export async function withContext<T>(options: StoreOptions, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const config = loadConfig(options);
  const shorteners = loadShorteners(config);
  // Loaded here, not at start-up: commands without a database (hash, classify) skip Kysely and the drivers.
  const { openStores } = await import("../storage/open.js");
  const stores = await openStores(config.databaseUrl, { mediaDir: config.mediaDir });
  const store = stores.signals;
  let matcher: Matcher | undefined;
  const ctx: Context = {
    config,
    store,
    stores,
    shorteners,
    banks: new BankService(store, undefined, shorteners),
    matcher: async () => {
      if (!matcher) {
        matcher = new Matcher(store, { pollMs: 0, shorteners });
        await matcher.load();
      }
      return matcher;
    },
  };
  try {
    return await fn(ctx);
  } finally {
    await stores.close();
  }
}

/**
 * Migrates the database named by the options to the latest schema and moves media left in it
 * into the media store; returns what was applied and moved.
 */
export async function migrateDatabaseOf(
  options: StoreOptions,
): Promise<{ url: string; mediaDir: string; applied: string[]; moved: { items: number; bytes: number } }> {
  const config = loadConfig(options);
  const { migrateStores } = await import("../storage/open.js");
  const { applied, moved } = await migrateStores(config.databaseUrl, { mediaDir: config.mediaDir });
  return { url: config.databaseUrl, mediaDir: config.mediaDir, applied, moved };
}
