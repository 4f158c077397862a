/**
 * The one factory of storage adapters: opens (and migrates) the database at `url` and the
 * media store, and builds every port on them. Only the composition roots
 * (server/services.ts, cli/context.ts) call it; everything else receives the ports.
 */

import { dirname, join, resolve } from "node:path";

import { KyselyAccessStore } from "./access-store.js";
import { KyselyAccountStore } from "./account-store.js";
import { KyselyActionStore } from "./action-store.js";
import { KyselyContentStore } from "./content-store.js";
import { KyselyCounterStore } from "./counter-store.js";
import { KyselyDashboardReads } from "./dashboard-store.js";
import { migrateDatabase, type OpenOptions } from "./database.js";
import { KyselyExchangeStore } from "./exchange-store.js";
import { KyselyHmaContentStore } from "./hma-content-store.js";
import { KyselyIncidentStore } from "./incident-store.js";
import { KyselyJobQueue } from "./job-queue.js";
import { KyselyStore } from "./kysely-store.js";
import { KyselyLabelStore } from "./label-store.js";
import { KyselyLinkStore } from "./link-store.js";
import { moveMediaToStore, type MediaMoved } from "./media-move.js";
import { FileMediaStore } from "./media-store-fs.js";
import { KyselyMeasurementReads } from "./measurement-reads.js";
import type { Stores } from "./ports/index.js";
import { KyselyReviewStore } from "./review-store.js";
import { KyselyRuleStore } from "./rule-store.js";
import { KyselyWebhookEndpointStore } from "./webhook-endpoint-store.js";
import { KyselyWellnessStore } from "./wellness-store.js";

export interface StoreOptions extends OpenOptions {
  /** The media store's folder (RASD_MEDIA_DIR); default: `media` beside a SQLite file, ./data/media for PostgreSQL. */
  readonly mediaDir?: string;
}

/** The media folder when none is given: beside the SQLite file (DATA/media), else ./data/media. */
export function defaultMediaDir(url: string): string {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return resolve("data", "media");
  const file = url.replace(/^sqlite:(\/\/)?/, "");
  return file === ":memory:" ? resolve("data", "media") : join(dirname(resolve(file)), "media");
}

/**
 * Opens the database at `url` (sqlite:FILE or postgres://...) and the media store with every
 * port on them. A process that migrates also moves media left in the database into the store.
 */
export async function openStores(url: string, options: StoreOptions = {}): Promise<Stores> {
  const media = await FileMediaStore.open(options.mediaDir ?? defaultMediaDir(url));
  const signals = await KyselyStore.open(url, options);
  const { db, dialect } = signals;
  if (options.migrate !== false)
    try {
      await moveMediaToStore(db, media);
    } catch (error) {
      await signals.close();
      throw error;
    }
  return {
    dialect,
    signals,
    media,
    content: new KyselyContentStore(db, media),
    jobs: new KyselyJobQueue(db, dialect),
    actions: new KyselyActionStore(db, dialect),
    reviews: new KyselyReviewStore(db),
    rules: new KyselyRuleStore(db),
    access: new KyselyAccessStore(db),
    accounts: new KyselyAccountStore(db),
    dashboard: new KyselyDashboardReads(db),
    measures: new KyselyMeasurementReads(db),
    labels: new KyselyLabelStore(db),
    hma: new KyselyHmaContentStore(db, dialect),
    endpoints: new KyselyWebhookEndpointStore(db, dialect),
    exchanges: new KyselyExchangeStore(db),
    wellness: new KyselyWellnessStore(db),
    counter: new KyselyCounterStore(db),
    links: new KyselyLinkStore(db),
    incidents: new KyselyIncidentStore(db),
    close: () => signals.close(),
  };
}

/**
 * `rasd migrate`: the database to the latest schema, then media left in it moved into the
 * media store. Returns the migrations applied and what was moved.
 */
export async function migrateStores(
  url: string,
  options: { mediaDir?: string } = {},
): Promise<{ applied: string[]; moved: MediaMoved }> {
  const applied = await migrateDatabase(url);
  const media = await FileMediaStore.open(options.mediaDir ?? defaultMediaDir(url));
  const signals = await KyselyStore.open(url, { migrate: false });
  try {
    return { applied, moved: await moveMediaToStore(signals.db, media) };
  } finally {
    await signals.close();
  }
}
