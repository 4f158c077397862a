/**
 * The one factory of storage adapters: opens (and migrates) the database at `url` and
 * builds every port on it. Only the composition roots (server/services.ts, cli/context.ts)
 * call it; everything else receives the ports.
 */

import { KyselyAccessStore } from "./access-store.js";
import { KyselyAccountStore } from "./account-store.js";
import { KyselyActionStore } from "./action-store.js";
import { KyselyContentStore } from "./content-store.js";
import { KyselyDashboardReads } from "./dashboard-store.js";
import type { OpenOptions } from "./database.js";
import { KyselyJobQueue } from "./job-queue.js";
import { KyselyStore } from "./kysely-store.js";
import { KyselyLabelStore } from "./label-store.js";
import { KyselyMeasurementReads } from "./measurement-reads.js";
import type { Stores } from "./ports/index.js";
import { KyselyReviewStore } from "./review-store.js";
import { KyselyRuleStore } from "./rule-store.js";
import { KyselyWebhookEndpointStore } from "./webhook-endpoint-store.js";

/** Opens the database at `url` (sqlite:FILE or postgres://...) with every port on it. */
export async function openStores(url: string, options: OpenOptions = {}): Promise<Stores> {
  const signals = await KyselyStore.open(url, options);
  const { db, dialect } = signals;
  return {
    dialect,
    signals,
    content: new KyselyContentStore(db),
    jobs: new KyselyJobQueue(db, dialect),
    actions: new KyselyActionStore(db, dialect),
    reviews: new KyselyReviewStore(db),
    rules: new KyselyRuleStore(db),
    access: new KyselyAccessStore(db),
    accounts: new KyselyAccountStore(db),
    dashboard: new KyselyDashboardReads(db),
    measures: new KyselyMeasurementReads(db),
    labels: new KyselyLabelStore(db),
    endpoints: new KyselyWebhookEndpointStore(db, dialect),
    close: () => signals.close(),
  };
}
