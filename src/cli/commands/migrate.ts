/**
 * `rasd migrate`: brings the database to this version's schema, as its own step, so that
 * the API and worker processes can run with `--no-migrate` (RASD_MIGRATE=0) and no DDL rights;
 * media still stored in the database is moved into the media store (RASD_MEDIA_DIR).
 */

import { Command } from "../commander.js";
import { redactUrl } from "../../logging/logger.js";
import { migrateDatabaseOf, withStoreOptions, type StoreOptions } from "../context.js";

export function migrateCommand(): Command {
  return withStoreOptions(
    new Command("migrate").description(
      "migrate the database to this version's schema (run before `serve`/`worker --no-migrate`)",
    ),
  ).action(async (options: StoreOptions) => {
    const { url, mediaDir, applied, moved } = await migrateDatabaseOf(options);
    const where = redactUrl(url);
    process.stdout.write(
      applied.length === 0
        ? `${where}: already at the latest schema\n`
        : `${where}: applied ${applied.length} migration(s): ${applied.join(", ")}\n`,
    );
    if (moved.items > 0)
      process.stdout.write(`moved the media of ${moved.items} item(s) (${moved.bytes} bytes) into ${mediaDir}\n`);
  });
}
