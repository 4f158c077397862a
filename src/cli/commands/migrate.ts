/**
 * `rasd migrate`: brings the database to this version's schema, as its own step, so that
 * the API and worker processes can run with `--no-migrate` (RASD_MIGRATE=0) and no DDL rights.
 */

import { Command } from "commander";
import { redactUrl } from "../../logging/logger.js";
import { migrateDatabaseOf, withStoreOptions, type StoreOptions } from "../context.js";

export function migrateCommand(): Command {
  return withStoreOptions(
    new Command("migrate").description(
      "migrate the database to this version's schema (run before `serve`/`worker --no-migrate`)",
    ),
  ).action(async (options: StoreOptions) => {
    const { url, applied } = await migrateDatabaseOf(options);
    const where = redactUrl(url);
    process.stdout.write(
      applied.length === 0
        ? `${where}: already at the latest schema\n`
        : `${where}: applied ${applied.length} migration(s): ${applied.join(", ")}\n`,
    );
  });
}
