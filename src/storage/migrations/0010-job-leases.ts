/**
 * Two small partial indexes for the job queue: the queued jobs of a kind in id order (what a
 * worker leases next) and the running jobs by lease expiry (what a dead worker left, found
 * without scanning the queued ones). Finished jobs are deleted, so on PostgreSQL the
 * table churns: it is vacuumed after a fixed number of dead rows rather than a fraction of
 * its size (docs/deploy.md, "Job queue maintenance").
 */

import { sql, type Kysely } from "kysely";
import { isPostgres } from "./columns.js";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("jobs_queued")
    .on("jobs")
    .columns(["kind", "id"])
    .where(sql.ref("status"), "=", "queued")
    .execute();
  await db.schema
    .createIndex("jobs_running")
    .on("jobs")
    .columns(["kind", "lease_until"])
    .where(sql.ref("status"), "=", "running")
    .execute();
  if (isPostgres(db))
    await sql`alter table jobs set (
      autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 10000,
      autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 10000,
      autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 10000,
      autovacuum_vacuum_cost_delay = 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db))
    await sql`alter table jobs reset (
      autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
      autovacuum_vacuum_insert_scale_factor, autovacuum_vacuum_insert_threshold,
      autovacuum_analyze_scale_factor, autovacuum_analyze_threshold, autovacuum_vacuum_cost_delay)`.execute(db);
  await db.schema.dropIndex("jobs_running").execute();
  await db.schema.dropIndex("jobs_queued").execute();
}
