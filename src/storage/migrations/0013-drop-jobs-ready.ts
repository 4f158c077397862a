/**
 * Drops `jobs_ready (status, run_at)`. No query is served by it any more, and on SQLite it
 * misled the planner: a lease's `status = 'queued' and run_at <= now ... order by id limit n`
 * ranged over it and sorted every queued job of every kind by id, so each lease cost grew
 * with the backlog (64 ms a lease under 100,000 queued jobs; the webhook lease 50 ms under
 * 10,000 pending webhooks). The leases walk `jobs_kind_status` (kind, status), whose entries
 * are in id order, and stop at their limit (docs/decisions/0018-service-throughput.md). One
 * index less is also three B-tree writes less per job (queued, leased, deleted).
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("jobs_ready").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("jobs_ready").on("jobs").columns(["status", "run_at"]).execute();
}
