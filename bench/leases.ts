/**
 * npm run bench -- leases [--backlog N[,N...]] [--reps R] [--dist DIR]
 *
 * CPU time of one job lease against a backlog, on embedded SQLite (`synchronous = FULL`): a
 * content lease of 1,000 among N queued content jobs with N/10 webhook jobs between them (as the
 * service writes them), and a webhook lease as the deliverer asks it (64 jobs, at most 16 of
 * one endpoint) with its release. Leases must not cost more as the backlog grows (decision 0018).
 * CPU time (process.cpuUsage) rather than wall time, so a shared machine changes it little;
 * the machine's load is printed beside each figure.
 *
 * `--dist DIR` measures another build (a worktree of an older commit: `--dist ../old/dist`),
 * to compare before and after in the same run. Defaults: backlogs 10,000 and 100,000, 10 reps.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sql, type Kysely } from "kysely";
import { emit } from "./_util.js";

const argAt = (name: string) => process.argv.indexOf(`--${name}`);
const opt = (name: string, fallback: string) => (argAt(name) >= 0 ? process.argv[argAt(name) + 1]! : fallback);
const BACKLOGS = opt("backlog", "10000,100000").split(",").map(Number);
const REPS = Number(opt("reps", "10"));
const DIST = pathToFileURL(resolve(opt("dist", "dist"))).href;

interface Modules {
  openDatabase: (url: string) => Promise<{ db: Kysely<never>; close: () => Promise<void> }>;
  KyselyJobQueue: new (
    db: Kysely<never>,
    dialect: "sqlite",
  ) => {
    lease(r: { kind: "content"; owner: string; limit: number; leaseMs: number }): Promise<unknown[]>;
    release(ids: readonly number[]): Promise<void>;
  };
  KyselyWebhookEndpointStore: new (
    db: Kysely<never>,
    dialect: "sqlite",
  ) => {
    leaseDeliveries(r: {
      owner: string;
      leaseMs: number;
      limit: number;
      perEndpoint: number;
      skip: never[];
    }): Promise<{ job: { id: number } }[]>;
  };
}

async function load(): Promise<Modules> {
  const { openDatabase } = (await import(`${DIST}/storage/database.js`)) as Pick<Modules, "openDatabase">;
  const { KyselyJobQueue } = (await import(`${DIST}/storage/job-queue.js`)) as Pick<Modules, "KyselyJobQueue">;
  const { KyselyWebhookEndpointStore } = (await import(`${DIST}/storage/webhook-endpoint-store.js`)) as Pick<
    Modules,
    "KyselyWebhookEndpointStore"
  >;
  return { openDatabase, KyselyJobQueue, KyselyWebhookEndpointStore };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function perCall(reps: number, f: () => Promise<unknown>): Promise<number> {
  let total = 0;
  for (let i = 0; i < reps; i++) {
    const c0 = cpuMs();
    await f();
    total += cpuMs() - c0;
  }
  return total / reps;
}

async function measure(m: Modules, backlog: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "rasd-bench-leases-"));
  const { db, close } = await m.openDatabase(`sqlite:${join(dir, "rasd.db")}`);
  try {
    await sql`insert into orgs (name, kind, created_at) values ('bench', 'platform', 0)`.execute(db);
    await sql`insert into people (org_id, name, role, created_at) values (1, 'bench', 'admin', 0)`.execute(db);
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${backlog})
      insert into content_items (org_id, person_id, idempotency_key, request_hash, kind, status, received_at)
      select 1, 1, 'k' || i, '', 'text', 'received', 0 from n`.execute(db);
    await sql`insert into actions (item_id, org_id, rule_id, action_index, type, status, delivery_id, target, payload, attempts, created_at)
      select id, 1, 1, 0, 'webhook', 'pending', 'd' || id, 'http://receiver.example/hook', '{}', 0, 0
      from content_items where id % 10 = 0`.execute(db);
    // One job per item, and a webhook job after every tenth: interleaved ids, as the service writes them.
    await sql`insert into jobs (kind, ref_id, status, attempts, max_attempts, run_at, created_at, updated_at)
      select kind, ref_id, 'queued', 0, 5, 0, 0, 0 from (
        select 'content' as kind, id as ref_id, id * 2 as o from content_items
        union all select 'webhook', id, item_id * 2 + 1 from actions) order by o`.execute(db);
    const queue = new m.KyselyJobQueue(db, "sqlite");
    const endpoints = new m.KyselyWebhookEndpointStore(db, "sqlite");
    const content = await perCall(REPS, () =>
      queue.lease({ kind: "content", owner: "bench", limit: 1000, leaseMs: 60_000 }),
    );
    const webhook = await perCall(REPS, async () => {
      const got = await endpoints.leaseDeliveries({
        owner: "bench",
        leaseMs: 60_000,
        limit: 64,
        perEndpoint: 16,
        skip: [],
      });
      await queue.release(got.map((g) => g.job.id));
    });
    const base = {
      bench: "leases",
      impl: "rasd",
      dist: opt("dist", "dist"),
      load1: loadavg()[0]!,
      cores: cpus().length,
    };
    emit({ ...base, case: `content-1000-of-${backlog}`, metric: "cpu_ms_per_lease", value: content, backlog });
    emit({ ...base, case: `webhook-64-of-${backlog / 10}`, metric: "cpu_ms_per_lease", value: webhook, backlog });
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const modules = await load();
for (const backlog of BACKLOGS) await measure(modules, backlog);
