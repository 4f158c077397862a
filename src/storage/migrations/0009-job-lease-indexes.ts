/**
 * Two indexes on `jobs` that keep leasing and the backlog count cheap when many jobs wait.
 *
 * - `jobs_kind_id (kind, id)`: a lease (`where kind = ? and <due> order by id limit N`) walks
 *   the kind's jobs in id order and stops after N, instead of reading every job of the kind
 *   through `jobs_ref` and sorting them. With 150,000 content jobs waiting that is 0.2 ms
 *   against 20–140 ms a lease on SQLite — and the lease holds the write lock meanwhile, so
 *   the API's accepting waited behind it (`npm run bench -- service`, open loop).
 * - `jobs_kind_status (kind, status)`: the backlog guard's grouped count (`JobQueue.counts`,
 *   every 250 ms while submissions arrive) reads this narrow index instead of the table.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("jobs_kind_id").on("jobs").columns(["kind", "id"]).execute();
  await db.schema.createIndex("jobs_kind_status").on("jobs").columns(["kind", "status"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("jobs_kind_status").execute();
  await db.schema.dropIndex("jobs_kind_id").execute();
}
