/**
 * The Kysely handle under a running service, for tests that must look at or change rows
 * no port exposes (stored hashes, back-dated times). Only tests reach past the ports.
 */

import type { Kysely } from "kysely";
import type { Services } from "../../src/server/services.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import type { Database } from "../../src/storage/schema.js";

export function rawDb(s: Services): Kysely<Database> {
  if (!(s.store instanceof KyselyStore)) throw new Error("the service's store is not the Kysely adapter");
  return s.store.db;
}
