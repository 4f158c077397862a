/**
 * `jobs_kind_status (kind, status)`: the backlog guard's grouped count (`JobQueue.counts`,
 * every 250 ms while submissions arrive) reads this narrow index instead of the table — 153 ms
 * a call under a 150,000-job backlog on SQLite before, 0.36 ms after (`npm run bench --
 * service`, open loop). Leasing in id order is served by 0010's partial `jobs_queued` index.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("jobs_kind_status").on("jobs").columns(["kind", "status"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("jobs_kind_status").execute();
}
