/**
 * The contract of every storage port besides SignalStore (store-contract.ts): content, the
 * job queue, actions and the pipeline's commit, reviews, rules, access, accounts, the
 * dashboard and measurement reads. One suite, run on SQLite and on PostgreSQL.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { RasdError, isRasdError } from "../../src/core/errors.js";
import type { Org } from "../../src/core/model.js";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { auditHash, GENESIS_HASH } from "../../src/core/audit-chain.js";
import { verifyAudit } from "../../src/services/audit-verify.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import { MIGRATIONS } from "../../src/storage/migrations/index.js";
import { backfillActionIndex } from "../../src/storage/migrations/0005-action-index.js";
import { openStores } from "../../src/storage/open.js";
import type {
  Accepted,
  ItemOutcome,
  Job,
  NewAction,
  NewContent,
  ReviewFilter,
  Stores,
} from "../../src/storage/ports/index.js";
import type { TestDatabase } from "../support/databases.js";

const HOUR = 3_600_000;

function content(orgId: number, personId: number, key: string, extra: Partial<NewContent> = {}): NewContent {
  return {
    orgId,
    personId,
    idempotencyKey: key,
    requestHash: `hash-${key}`,
    kind: "text",
    contentId: `c-${key}`,
    authorId: "author-1",
    postedAt: null,
    mediaType: null,
    media: null,
    url: null,
    text: `text ${key}`,
    receivedAt: Date.now(),
    ...extra,
  };
}

function accepted(r: Accepted | RasdError): Accepted {
  if (isRasdError(r)) throw r;
  return r;
}

/** The database at `url` with no migration run (to write rows as an older rasd did). */
function bareDatabase(url: string): Kysely<unknown> {
  return new Kysely<unknown>({
    dialect: url.startsWith("postgres")
      ? new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) })
      : new SqliteDialect({ database: new BetterSqlite3(url.replace(/^sqlite:(\/\/)?/, "")) }),
  });
}

export function portsContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`storage ports contract: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let mediaDir: string;
    let s: Stores;
    let org: Org;
    let personId: number;

    /** Leases and completes every runnable job, so each test starts with an empty queue. */
    async function drainQueue(): Promise<void> {
      for (const kind of ["content", "webhook"] as const) {
        const jobs = await s.jobs.lease({ kind, owner: "drain", limit: 10_000, leaseMs: 60_000 });
        await s.jobs.complete(jobs.map((j) => j.id));
      }
    }

    async function newItems(n: number, prefix: string): Promise<number[]> {
      const out = await s.content.accept(
        Array.from({ length: n }, (_, i) => content(org.id, personId, `${prefix}-${i}`)),
      );
      return out.map((r) => accepted(r).id);
    }

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      mediaDir = mkdtempSync(join(tmpdir(), "rasd-media-"));
      s = await openStores(database.url, { mediaDir });
      org = await s.signals.createOrg("Platform", "platform");
      personId = (await s.access.createPerson(org.id, "alice", "submitter")).id;
    });
    after(async () => {
      if (skip) return;
      await s.close();
      await database.drop();
      rmSync(mediaDir, { recursive: true, force: true });
    });

    describe("exchanges", () => {
      it("creates, lists, updates, leases one owner at a time, records progress and outcomes, deletes", async () => {
        const bank = await s.signals.createBank({ orgId: org.id, name: "EXCHANGE_CONTRACT" });
        const now = 1_700_000_000_000;
        const e = await s.exchanges.create(
          {
            orgId: org.id,
            name: "EXCHANGE_CONTRACT",
            api: "rasd",
            bankId: bank.id,
            enabled: true,
            config: { url: "https://peer.example/", interval_seconds: 5 },
            credentials: "sealed:v1:x",
          },
          now,
        );
        assert.equal(e.enabled, true);
        assert.deepEqual(e.config, { url: "https://peer.example/", interval_seconds: 5 });
        assert.equal(e.fetchOk, null);
        assert.equal(e.nextFetchAt, 0);
        await assert.rejects(
          s.exchanges.create(
            {
              orgId: org.id,
              name: "EXCHANGE_CONTRACT",
              api: "rasd",
              bankId: bank.id,
              enabled: true,
              config: {},
              credentials: null,
            },
            now,
          ),
          (error: unknown) => isRasdError(error) && error.code === "conflict",
        );
        assert.deepEqual(
          (await s.exchanges.list(org.id)).map((x) => x.name),
          ["EXCHANGE_CONTRACT"],
        );
        assert.deepEqual(await s.exchanges.bankIds(), [bank.id]);
        // Due now: one owner gets the lease, another does not until it expires.
        const leased = await s.exchanges.lease("w1", now, 1000);
        assert.equal(leased?.id, e.id);
        assert.equal(leased?.fetchStartedAt, now);
        assert.equal(await s.exchanges.lease("w2", now + 10, 1000), undefined);
        assert.equal(await s.exchanges.lease("w1", now + 10, 1000), undefined, "not twice, even by its holder");
        assert.equal(await s.exchanges.lease("w2", now + 10, 1000, e.id), undefined);
        const step = { checkpoint: "42", checkpointAt: now, items: 3, upToDate: false };
        assert.equal(await s.exchanges.progress(e.id, "w2", step, now + 20, 1000), false);
        assert.equal(await s.exchanges.progress(e.id, "w1", step, now + 20, 1000), true);
        assert.equal(
          await s.exchanges.progress(e.id, "w1", { ...step, checkpoint: "50", upToDate: true }, now + 30, 1000),
          true,
        );
        await s.exchanges.finish(
          e.id,
          "w1",
          { ok: false, error: "HTTP 401", failures: 1, nextFetchAt: now + 5000 },
          now + 40,
        );
        const after = (await s.exchanges.getByName("EXCHANGE_CONTRACT"))!;
        assert.equal(after.checkpoint, "50");
        assert.equal(after.fetchedItems, 6);
        assert.equal(after.upToDate, true);
        assert.equal(after.fetchOk, false);
        assert.equal(after.lastError, "HTTP 401");
        assert.equal(after.failures, 1);
        assert.equal(after.nextFetchAt, now + 5000);
        assert.equal(after.fetchEndedAt, now + 40);
        // Not due yet; an expired lease of another owner is taken over; a disabled exchange is not due.
        assert.equal(await s.exchanges.lease("w2", now + 100, 1000), undefined);
        assert.equal((await s.exchanges.lease("w2", now + 6000, 1000))?.id, e.id);
        assert.equal((await s.exchanges.lease("w3", now + 8000, 1000))?.id, e.id, "the lease expired");
        await s.exchanges.finish(e.id, "w3", { ok: true, error: null, failures: 0, nextFetchAt: 0 }, now + 8001);
        const off = await s.exchanges.update(e.id, { enabled: false, credentials: null }, now + 9000);
        assert.equal(off.enabled, false);
        assert.equal(off.credentials, null);
        assert.equal(await s.exchanges.lease("w4", now + 10_000, 1000), undefined);
        await s.exchanges.delete(e.id);
        assert.equal(await s.exchanges.get(e.id), undefined);
      });

      it("keeps an organisation's credentials per exchange API (HMA's): set, replaced, cleared", async () => {
        assert.equal(await s.exchanges.getApiCredentials(org.id, "rasd"), null);
        await s.exchanges.setApiCredentials(org.id, "rasd", "sealed-1", 1);
        await s.exchanges.setApiCredentials(org.id, "rasd", "sealed-2", 2);
        assert.equal(await s.exchanges.getApiCredentials(org.id, "rasd"), "sealed-2", "replaced, not added");
        assert.equal(await s.exchanges.getApiCredentials(org.id, "taxii"), null, "per API");
        await s.exchanges.setApiCredentials(org.id, "rasd", null, 3);
        assert.equal(await s.exchanges.getApiCredentials(org.id, "rasd"), null);
      });
    });

    describe("content", () => {
      it("accepts items with their media and one job each; a replayed key returns the same id; another request under it is a conflict", async () => {
        const bytes = new Uint8Array([1, 2, 3, 4, 5]);
        const [image, text] = await s.content.accept([
          content(org.id, personId, "img", { kind: "image", text: null, media: bytes, mediaType: "image/png" }),
          content(org.id, personId, "txt", { postedAt: 1_000, platform: "Shorts", country: "IQ" }),
        ]);
        const imageId = accepted(image!).id;
        const textId = accepted(text!).id;
        assert.equal(accepted(image!).replay, false);
        const [replay, conflict] = await s.content.accept([
          content(org.id, personId, "img", { kind: "image", text: null, media: bytes, mediaType: "image/png" }),
          content(org.id, personId, "txt", { requestHash: "something else" }),
        ]);
        assert.deepEqual(replay, { id: imageId, replay: true });
        assert.ok(isRasdError(conflict) && conflict.code === "conflict");
        assert.deepEqual(new Uint8Array((await s.content.getMedia(imageId))!), bytes);
        assert.equal(await s.content.getMedia(textId), undefined);
        const item = (await s.content.getItem(textId))!;
        assert.equal(item.orgId, org.id);
        assert.equal(item.personId, personId);
        assert.equal(item.kind, "text");
        assert.equal(item.postedAt, 1_000);
        assert.equal(item.platform, "Shorts");
        assert.equal(item.country, "IQ");
        assert.equal(item.status, "received");
        assert.equal(item.hashes, "{}");
        assert.equal(item.matches, "[]");
        assert.equal(item.hashedAt, null);
        assert.equal((await s.content.getItem(imageId))!.mediaSize, 5);
        // One content job per new item, none for the replay.
        assert.deepEqual(await s.jobs.openRefs("content", [imageId, textId]), new Set([imageId, textId]));
        const jobs = await s.jobs.leaseRefs("content", [imageId, textId], "w", 60_000);
        assert.equal(jobs.length, 2);
        await s.jobs.complete(jobs.map((j) => j.id));
        assert.deepEqual(
          (await s.content.listItems(org.id, { limit: 2 })).map((i) => i.id),
          [textId, imageId],
        );
        assert.deepEqual(
          (await s.content.listItems(org.id, { beforeId: textId, limit: 1 })).map((i) => i.id),
          [imageId],
        );
        assert.deepEqual(
          (await s.content.getItems([imageId, textId])).map((i) => i.id).sort(),
          [imageId, textId].sort(),
        );
      });

      it("outcomes: the check sees earlier ones in order and can refuse", async () => {
        const [id] = await newItems(1, "outcome");
        const base = { itemId: id!, orgId: org.id, personId, basis: "", reason: "", authority: "", note: "" };
        const first = await s.content.addOutcome({ ...base, kind: "removal_order", at: 1_000 }, (earlier) =>
          assert.equal(earlier.length, 0),
        );
        assert.equal(first.kind, "removal_order");
        assert.equal(first.at, 1_000);
        assert.ok(first.recordedAt >= first.at);
        await s.content.addOutcome({ ...base, kind: "removed", at: 2_000, basis: "removal_order" }, (earlier) =>
          assert.deepEqual(
            earlier.map((o) => o.kind),
            ["removal_order"],
          ),
        );
        await assert.rejects(
          s.content.addOutcome({ ...base, kind: "restored", at: 3_000 }, () => {
            throw new RasdError("conflict", "no");
          }),
          (e: unknown) => isRasdError(e) && e.code === "conflict",
        );
        const all = await s.content.outcomesOf([id!]);
        assert.deepEqual(
          all.map((o) => [o.kind, o.basis]),
          [
            ["removal_order", ""],
            ["removed", "removal_order"],
          ],
        );
      });

      it("history import: processed items with classifications and outcomes, ids in order", async () => {
        const t = Date.now() - 10 * HOUR;
        const ids = await s.content.importHistory(
          [0, 1, 2].map((i) => ({
            orgId: org.id,
            personId,
            idempotencyKey: `hist-${i}`,
            kind: "text" as const,
            contentId: `h-${i}`,
            authorId: "a",
            postedAt: null,
            text: `history ${i}`,
            platform: "Posts",
            country: "",
            receivedAt: t + i,
            hashedAt: t + i + 3,
            matchedAt: t + i + 5,
            classifiedAt: t + i + 6,
            actedAt: i === 1 ? t + i + 8 : null,
            classification: {
              model: "m1",
              label: i === 1 ? "pro" : "neutral",
              score: 0.9,
              pPro: 0.9,
              pAnti: 0.05,
              pNeutral: 0.05,
              lang: "en",
              behaviour: null,
              classifiedAt: t + i + 6,
            },
            ...(i === 1
              ? {
                  outcomes: [
                    {
                      orgId: org.id,
                      personId,
                      kind: "removed",
                      basis: "terms_of_service",
                      reason: "",
                      authority: "",
                      note: "",
                      at: t + 100,
                    },
                  ],
                }
              : {}),
          })),
        );
        assert.equal(ids.length, 3);
        const items = await s.content.getItems(ids);
        for (const [i, id] of ids.entries()) {
          const item = items.find((x) => x.id === id)!;
          assert.equal(item.contentId, `h-${i}`, "ids come back in input order");
          assert.equal(item.status, "done");
        }
        assert.equal((await s.content.classificationOf(ids[1]!))?.label, "pro");
        assert.equal((await s.content.getItem(ids[1]!))?.actedAt, t + 9);
        assert.deepEqual(
          (await s.content.outcomesOf(ids)).map((o) => [o.itemId, o.kind, o.recordedAt]),
          [[ids[1], "removed", t + 100]],
        );
        assert.deepEqual(await s.jobs.openRefs("content", ids), new Set(), "history queues no jobs");
        const times = await s.content.itemTimes(org.id, t, 10);
        assert.deepEqual(
          times.filter((x) => x.receivedAt < t + 3).map((x) => [x.receivedAt, x.hashedAt, x.matchedAt]),
          [
            [t + 2, t + 5, t + 7],
            [t + 1, t + 4, t + 6],
            [t, t + 3, t + 5],
          ],
        );
      });
    });

    describe("job queue", () => {
      before(async () => {
        if (!skip) await drainQueue();
      });

      it("lease: up to the limit, oldest first, counting the attempt; two owners never get the same job", async () => {
        const refs = Array.from({ length: 30 }, (_, i) => 1000 + i);
        await s.jobs.enqueue("webhook", refs);
        const first = await s.jobs.lease({ kind: "webhook", owner: "a", limit: 5, leaseMs: 60_000 });
        assert.deepEqual(
          first.map((j) => j.refId),
          refs.slice(0, 5),
        );
        for (const j of first) {
          assert.equal(j.status, "running");
          assert.equal(j.leaseOwner, "a");
          assert.equal(j.attempts, 1);
          assert.equal(j.maxAttempts, 8);
          assert.ok(j.leaseUntil! > Date.now());
        }
        assert.deepEqual(await s.jobs.lease({ kind: "content", owner: "a", limit: 5, leaseMs: 60_000 }), []);
        // Several owners at once: every remaining job handed out exactly once.
        const leased = await Promise.all(
          ["b", "c", "d", "e"].map((owner) => s.jobs.lease({ kind: "webhook", owner, limit: 10, leaseMs: 60_000 })),
        );
        const ids = leased.flat().map((j) => j.id);
        assert.equal(new Set(ids).size, ids.length, "no job leased twice");
        assert.equal(ids.length, 25);
        assert.ok(!ids.some((id) => first.some((j) => j.id === id)), "a held lease is not handed out");
        assert.equal((await s.jobs.counts())["webhook.running"], 30);
        await s.jobs.complete([...first.map((j) => j.id), ...ids]);
        assert.equal((await s.jobs.counts())["webhook.running"], undefined, "completed jobs are gone");
        assert.deepEqual(await s.jobs.openRefs("webhook", refs), new Set());
      });

      it("an expired lease makes the job available again; renewing keeps it", async () => {
        await s.jobs.enqueue("webhook", [2001, 2002]);
        const [a, b] = await s.jobs.lease({ kind: "webhook", owner: "dies", limit: 2, leaseMs: 30 });
        await s.jobs.renew([b!.id], "dies", 60_000);
        await s.jobs.renew([a!.id], "someone else", 60_000); // not theirs: no effect
        await sleep(60);
        assert.deepEqual(
          await s.jobs.lease({ kind: "webhook", owner: "next", limit: 10, leaseMs: 60_000 }),
          [],
          "an expired lease waits to be reclaimed",
        );
        assert.equal(await s.jobs.reclaim("webhook"), 1);
        assert.equal(await s.jobs.reclaim("webhook"), 0);
        const again = await s.jobs.lease({ kind: "webhook", owner: "next", limit: 10, leaseMs: 60_000 });
        assert.deepEqual(
          again.map((j) => j.id),
          [a!.id],
          "only the expired one",
        );
        assert.equal(again[0]!.attempts, 2);
        assert.equal(again[0]!.leaseOwner, "next");
        await s.jobs.complete([a!.id, b!.id]);
      });

      it("release gives a job back without counting the attempt", async () => {
        await s.jobs.enqueue("content", [3001]);
        const [job] = await s.jobs.lease({ kind: "content", owner: "a", limit: 1, leaseMs: 60_000 });
        await s.jobs.release([job!.id]);
        const [again] = await s.jobs.lease({ kind: "content", owner: "b", limit: 1, leaseMs: 60_000 });
        assert.equal(again?.id, job!.id);
        assert.equal(again?.attempts, 1);
        assert.equal(again?.leaseOwner, "b");
        await s.jobs.complete([job!.id]);
      });

      it("retry waits for run_at; after max attempts the job is dead (kept, never leased again)", async () => {
        // The retry time is far enough ahead that a busy machine's pause between the retry and the
        // next lease (30 ms was once not enough under a load of 24) does not make it due.
        const RETRY_MS = 500;
        await s.jobs.enqueue("content", [4001]);
        let job: Job | undefined;
        for (let attempt = 1; attempt <= 5; attempt++) {
          if (attempt > 1) {
            assert.deepEqual(
              await s.jobs.lease({ kind: "content", owner: "w", limit: 1, leaseMs: 60_000 }),
              [],
              "not before its retry time",
            );
            await sleep(RETRY_MS + 50);
          }
          [job] = await s.jobs.lease({ kind: "content", owner: "w", limit: 1, leaseMs: 60_000 });
          assert.equal(job?.attempts, attempt);
          if (attempt > 1) assert.equal(job?.lastError, `boom ${attempt - 1}`);
          const fate = await s.jobs.retryOrBury(job!, `boom ${attempt}`, Date.now() + RETRY_MS);
          assert.equal(fate, attempt < 5 ? "retry" : "dead");
        }
        await sleep(RETRY_MS + 50);
        assert.deepEqual(await s.jobs.lease({ kind: "content", owner: "w", limit: 1, leaseMs: 60_000 }), []);
        assert.equal((await s.jobs.counts())["content.dead"], 1);
        assert.deepEqual(await s.jobs.openRefs("content", [4001]), new Set(), "a dead job is not open");
        await s.jobs.complete([job!.id]);
      });

      it("leaseRefs leases only the given refs that are runnable", async () => {
        await s.jobs.enqueue("content", [5001, 5002, 5003]);
        await s.jobs.enqueue("content", [5004], Date.now() + 60_000);
        const jobs = await s.jobs.leaseRefs("content", [5001, 5003, 5004], "w", 60_000);
        assert.deepEqual(
          jobs.map((j) => j.refId),
          [5001, 5003],
        );
        assert.deepEqual(await s.jobs.leaseRefs("content", [5001], "x", 60_000), [], "already held");
        assert.deepEqual(await s.jobs.openRefs("content", [5001, 5002, 5004, 5999]), new Set([5001, 5002, 5004]));
        await s.jobs.complete(jobs.map((j) => j.id));
        await drainQueue();
      });
    });

    describe("actions and the pipeline's commit", () => {
      let ruleId: number;
      before(async () => {
        if (skip) return;
        await drainQueue();
        ruleId = (
          await s.rules.create(org.id, {
            name: "commit-rule",
            conditions: {},
            actions: [{ type: "webhook", url: "https://example.org/hook", secret: "whsec_x" }, { type: "review" }],
          })
        ).id;
      });

      function planned(itemId: number): NewAction[] {
        return [
          {
            itemId,
            orgId: org.id,
            ruleId,
            actionIndex: 0,
            type: "webhook",
            deliveryId: `msg_${itemId}_${ruleId}_0`,
            target: "https://example.org/hook",
            payload: `{"item":${itemId}}`,
          },
          {
            itemId,
            orgId: org.id,
            ruleId,
            actionIndex: 1,
            type: "review",
            deliveryId: `msg_${itemId}_${ruleId}_1`,
            target: "",
            payload: "{}",
            reviewPriority: 7,
          },
        ];
      }

      it("commitResults records actions, webhook jobs, one review entry, items, classifications and completes jobs at once; a rerun adds nothing", async () => {
        const [a, b] = await newItems(2, "commit");
        const jobs = await s.jobs.leaseRefs("content", [a!, b!], "w", 60_000);
        assert.equal(jobs.length, 2);
        const now = Date.now();
        const batch = {
          actions: planned(a!),
          finish: (recorded: readonly { itemId: number; status: string }[]) =>
            [a!, b!].map((id): ItemOutcome => {
              const pending = recorded.filter((r) => r.itemId === id && r.status === "pending").length;
              return {
                id,
                status: pending ? "acting" : "done",
                error: null,
                hashes: `{"n":${id}}`,
                matches: "[]",
                hashedAt: now,
                matchedAt: now + 1,
                actedAt: pending ? null : now,
                classifiedAt: now + 2,
              };
            }),
          classifications: [
            {
              itemId: a!,
              model: "m1",
              label: "pro",
              score: 0.8,
              pPro: 0.8,
              pAnti: 0.1,
              pNeutral: 0.1,
              lang: "en",
              behaviour: null,
              classifiedAt: now + 2,
            },
          ],
          completedJobs: jobs.map((j) => j.id),
          now,
        };
        await s.jobs.enqueue("content", [9001]);
        const first = await s.actions.commitResults({
          ...batch,
          leaseNext: { kind: "content", owner: "w", limit: 10, leaseMs: 60_000 },
        });
        assert.deepEqual(
          first.recorded.map((r) => [r.type, r.created, r.status]),
          [
            ["webhook", true, "pending"],
            ["review", true, "done"],
          ],
        );
        assert.deepEqual(
          first.leased.map((j) => j.refId),
          [9001],
          "the next batch leased in the same commit",
        );
        await s.jobs.complete(first.leased.map((j) => j.id));
        assert.deepEqual(await s.jobs.openRefs("content", [a!, b!]), new Set(), "content jobs completed");
        const itemA = (await s.content.getItem(a!))!;
        assert.equal(itemA.status, "acting");
        assert.equal(itemA.hashes, `{"n":${a}}`);
        assert.equal(itemA.matchedAt, now + 1);
        assert.equal(itemA.actedAt, null);
        assert.equal((await s.content.getItem(b!))!.status, "done");
        assert.equal((await s.content.classificationOf(a!))?.label, "pro");
        const actions = await s.actions.actionsOf([a!]);
        assert.deepEqual(
          actions.map((x) => [x.type, x.status, x.actionIndex, x.deliveryId]),
          [
            ["webhook", "pending", 0, `msg_${a}_${ruleId}_0`],
            ["review", "done", 1, `msg_${a}_${ruleId}_1`],
          ],
        );
        const webhookJobs = await s.jobs.leaseRefs("webhook", [actions[0]!.id], "w", 60_000);
        assert.equal(webhookJobs.length, 1, "a webhook job was queued");
        await s.jobs.release(webhookJobs.map((j) => j.id));
        const reviews = await s.reviews.listReviews(org.id, "open", 100);
        assert.deepEqual(
          reviews.filter((r) => r.itemId === a).map((r) => [r.actionId, r.priority]),
          [[actions[1]!.id, 7]],
        );

        // The same job again (a crash after commit, before the ack): nothing new.
        const rerun = await s.actions.commitResults({ ...batch, completedJobs: [] });
        assert.deepEqual(
          rerun.recorded.map((r) => [r.type, r.created, r.status]),
          [
            ["webhook", false, "pending"],
            ["review", false, "done"],
          ],
        );
        assert.equal((await s.actions.actionsOf([a!])).length, 2);
        assert.equal((await s.reviews.listReviews(org.id, "open", 100)).filter((r) => r.itemId === a).length, 1);
        assert.equal((await s.jobs.counts())["webhook.queued"], 1, "no second webhook job");
        assert.equal((await s.content.getItem(a!))!.status, "acting");
      });

      it("commitResults queues one links job per item (a rerun queues none); a links commit writes hashes and matches, and a hop webhook makes a done item acting", async () => {
        await drainQueue();
        const [a, b] = await newItems(2, "linkjob");
        const now = Date.now();
        const finish = () =>
          [a!, b!].map((id) => ({
            id,
            status: "done" as const,
            error: null,
            hashes: '{"links_pending":true}',
            matches: "[]",
            hashedAt: now,
            matchedAt: now,
            actedAt: null,
          }));
        const direct = { actions: [], finish, classifications: [], completedJobs: [], followLinks: [a!, b!], now };
        await s.actions.commitResults(direct);
        await s.actions.commitResults(direct);
        assert.equal((await s.jobs.counts())["links.queued"], 2, "one links job per item, however often committed");
        const jobs = await s.jobs.lease({ kind: "links", owner: "w", limit: 10, leaseMs: 60_000 });
        assert.deepEqual(
          jobs.map((j) => j.refId).sort((x, y) => x - y),
          [a!, b!],
        );
        const hop: NewAction = { ...planned(a!)[0]!, deliveryId: `msg_${a}_${ruleId}_0_links` };
        const { recorded } = await s.actions.commitResults({
          actions: [hop],
          finish: () => [],
          classifications: [],
          completedJobs: jobs.map((j) => j.id),
          linked: [
            { id: a!, hashes: '{"links":[]}', matches: '[{"signalId":1}]' },
            { id: b!, hashes: '{"links":[]}', matches: "[]" },
          ],
          now,
        });
        assert.deepEqual(
          recorded.map((r) => [r.deliveryId, r.created, r.status]),
          [[`msg_${a}_${ruleId}_0_links`, true, "pending"]],
        );
        const itemA = (await s.content.getItem(a!))!;
        assert.equal(itemA.status, "acting", "a pending webhook fired by a hop");
        assert.equal(itemA.hashes, '{"links":[]}');
        assert.equal(itemA.matches, '[{"signalId":1}]');
        const itemB = (await s.content.getItem(b!))!;
        assert.equal(itemB.status, "done");
        assert.equal(itemB.hashes, '{"links":[]}');
        assert.equal((await s.jobs.counts())["links.queued"], undefined, "links jobs completed");
        await drainQueue();
      });

      it("commitResults buries given-up jobs with their error beside the item's links_failed, in one transaction", async () => {
        await drainQueue();
        const [a] = await newItems(1, "linkdead");
        const now = Date.now();
        await s.actions.commitResults({
          actions: [],
          finish: () => [],
          classifications: [],
          completedJobs: [],
          followLinks: [a!],
          now,
        });
        const [job] = await s.jobs.lease({ kind: "links", owner: "w", limit: 10, leaseMs: 60_000 });
        assert.equal(job!.refId, a);
        const hashes = '{"links_failed":{"error":"connection reset","attempts":5,"at":"2026-12-07T00:00:00.000Z"}}';
        await s.actions.commitResults({
          actions: [],
          finish: () => [],
          classifications: [],
          completedJobs: [],
          buriedJobs: [{ id: job!.id, error: "connection reset" }],
          linked: [{ id: a!, hashes, matches: "[]" }],
          now,
        });
        const counts = await s.jobs.counts();
        assert.equal(counts["links.dead"], 1, JSON.stringify(counts));
        assert.equal(counts["links.running"], undefined, JSON.stringify(counts));
        assert.equal((await s.content.getItem(a!))!.hashes, hashes);
        // Nothing is leased again.
        assert.deepEqual(await s.jobs.lease({ kind: "links", owner: "w", limit: 10, leaseMs: 60_000 }), []);
        await s.jobs.complete([job!.id]); // the dead job leaves no trace for the next case
        await drainQueue();
      });

      it("a batch of many actions (several statements) records each once and answers per action in order; a partial rerun creates only the new ones", async () => {
        await drainQueue();
        const items = await newItems(150, "grouped");
        await s.jobs.complete((await s.jobs.leaseRefs("content", items, "w", 60_000)).map((j) => j.id));
        // Three actions an item (a webhook and two reviews): 450, more than one statement's worth.
        const of = (id: number): NewAction[] => [
          ...planned(id),
          { ...planned(id)[1]!, actionIndex: 2, deliveryId: `msg_${id}_${ruleId}_2`, reviewPriority: 1 },
        ];
        const commit = (actions: NewAction[]) =>
          s.actions.commitResults({
            actions,
            finish: () => [],
            classifications: [],
            completedJobs: [],
            now: Date.now(),
          });
        const early = items.slice(0, 70).flatMap(of);
        const first = await commit(early);
        assert.deepEqual(
          first.recorded.map((r) => [r.deliveryId, r.created, r.status]),
          early.map((a) => [a.deliveryId, true, a.type === "webhook" ? "pending" : "done"]),
        );
        const all = items.flatMap(of);
        const second = await commit(all);
        assert.deepEqual(
          second.recorded.map((r) => [r.deliveryId, r.itemId, r.type, r.created, r.status]),
          all.map((a, i) => [
            a.deliveryId,
            a.itemId,
            a.type,
            i >= early.length,
            a.type === "webhook" ? "pending" : "done",
          ]),
          "one answer per action, in the order given; those recorded before are not created again",
        );
        const actions = await s.actions.actionsOf(items);
        assert.equal(actions.length, all.length, "each action once");
        const byDelivery = new Map(actions.map((a) => [a.deliveryId, a]));
        const webhooks = all.filter((a) => a.type === "webhook").map((a) => byDelivery.get(a.deliveryId)!.id);
        const jobs = await s.jobs.lease({ kind: "webhook", owner: "w", limit: 1000, leaseMs: 60_000 });
        assert.deepEqual(
          jobs.map((j) => j.refId),
          webhooks,
          "one webhook job per webhook action, queued in the order of the actions",
        );
        const reviews = (await s.reviews.listReviews(org.id, "open", 1000)).filter((r) => items.includes(r.itemId));
        assert.deepEqual(
          reviews.map((r) => r.actionId).sort((x, y) => x - y),
          items.map((id) => byDelivery.get(`msg_${id}_${ruleId}_1`)!.id),
          "one review entry per item, for its first review action",
        );

        // Their deliveries in one call: each keeps its own attempt count and HTTP status.
        const at = Date.now();
        const results = jobs.map((job, i) => {
          const action = actions.find((a) => a.id === job.refId)!;
          return i % 2 === 0
            ? { job, action, httpStatus: 200 + (i % 3), retryAt: at }
            : { job, action, httpStatus: 503, error: "HTTP 503", retryAt: at }; // due now, so drainQueue takes it
        });
        const fates = await s.actions.recordDeliveries(results, [], at);
        assert.deepEqual(
          fates,
          results.map((_, i) => (i % 2 === 0 ? "delivered" : "retry")),
        );
        for (const [i, r] of results.entries()) {
          const now = (await s.actions.getAction(r.action.id))!;
          assert.deepEqual(
            [now.status, now.attempts, now.lastStatus, now.lastError, now.completedAt],
            i % 2 === 0 ? ["delivered", 1, 200 + (i % 3), null, at] : ["pending", 1, 503, "HTTP 503", null],
          );
          const item = (await s.content.getItem(r.action.itemId))!;
          assert.equal(item.actedAt, i % 2 === 0 ? at : null, "a delivered item is settled, a pending one not");
        }
        await drainQueue();
      });

      it("a failing commit writes nothing", async () => {
        const [c] = await newItems(1, "atomic");
        const jobs = await s.jobs.leaseRefs("content", [c!], "w", 60_000);
        await assert.rejects(
          s.actions.commitResults({
            actions: planned(c!),
            finish: () => {
              throw new Error("crash inside the transaction");
            },
            classifications: [],
            completedJobs: jobs.map((j) => j.id),
            now: Date.now(),
          }),
          /crash inside/,
        );
        assert.deepEqual(await s.actions.actionsOf([c!]), [], "no action");
        assert.deepEqual(await s.jobs.openRefs("content", [c!]), new Set([c!]), "the job is still there");
        await s.jobs.complete(jobs.map((j) => j.id));
      });

      it("deliveries: a failure is retried, a success settles the item, the last failure dead-letters it; redeliver queues it again", async () => {
        await drainQueue();
        const [d] = await newItems(1, "deliver");
        await s.jobs.complete((await s.jobs.leaseRefs("content", [d!], "w", 60_000)).map((j) => j.id));
        await s.actions.commitResults({
          actions: [planned(d!)[0]!],
          finish: () => [],
          classifications: [],
          completedJobs: [],
          now: Date.now(),
        });
        const [action] = await s.actions.actionsOf([d!]);
        const lease = () => s.jobs.lease({ kind: "webhook", owner: "w", limit: 10, leaseMs: 60_000 });
        let [job] = await lease();
        assert.equal(job?.refId, action!.id);
        const failed = await s.actions.recordDeliveries(
          [{ job: job!, action: action!, httpStatus: 500, error: "HTTP 500", retryAt: Date.now() }],
          [],
          Date.now(),
        );
        assert.deepEqual(failed, ["retry"]);
        let now = (await s.actions.getAction(action!.id))!;
        assert.deepEqual([now.status, now.attempts, now.lastStatus, now.lastError], ["pending", 1, 500, "HTTP 500"]);
        [job] = await lease();
        assert.equal(job?.attempts, 2);
        const at = Date.now();
        assert.deepEqual(
          await s.actions.recordDeliveries([{ job: job!, action: now, httpStatus: 204, retryAt: at }], [], at),
          ["delivered"],
        );
        now = (await s.actions.getAction(action!.id))!;
        assert.deepEqual([now.status, now.attempts, now.lastError, now.completedAt], ["delivered", 2, null, at]);
        assert.deepEqual(await lease(), [], "the job is done");
        const item = (await s.content.getItem(d!))!;
        assert.deepEqual([item.status, item.actedAt], ["done", at]);

        await s.actions.redeliver(now);
        assert.equal((await s.content.getItem(d!))!.status, "acting");
        assert.equal((await s.actions.getAction(action!.id))!.status, "pending");
        [job] = await lease();
        assert.equal(job?.refId, action!.id);
        const last = { ...job!, attempts: job!.maxAttempts };
        assert.deepEqual(
          await s.actions.recordDeliveries(
            [
              {
                job: last,
                action: (await s.actions.getAction(action!.id))!,
                httpStatus: null,
                error: "refused",
                retryAt: Date.now(),
              },
            ],
            [],
            Date.now(),
          ),
          ["dead"],
        );
        assert.equal((await s.actions.getAction(action!.id))!.status, "dead");
        assert.equal((await s.content.getItem(d!))!.status, "action_failed");
        assert.equal((await s.actions.listActions(org.id, { status: "dead" }))[0]?.id, action!.id);
        await drainQueue();
      });

      it("orphan webhook jobs (their action gone) are completed", async () => {
        await s.jobs.enqueue("webhook", [987_654]);
        const jobs = await s.jobs.lease({ kind: "webhook", owner: "w", limit: 10, leaseMs: 60_000 });
        assert.equal(jobs.length, 1);
        await s.actions.recordDeliveries(
          [],
          jobs.map((j) => j.id),
          Date.now(),
        );
        assert.deepEqual(await s.jobs.openRefs("webhook", [987_654]), new Set());
      });

      it("the action index of rows written before it was stored is backfilled from the delivery id", async () => {
        const [e] = await newItems(1, "backfill");
        await s.actions.commitResults({
          actions: planned(e!),
          finish: () => [],
          classifications: [],
          completedJobs: [],
          now: Date.now(),
        });
        assert.ok(s.signals instanceof KyselyStore);
        const db = s.signals.db;
        await db.updateTable("actions").set({ action_index: null }).where("item_id", "=", e!).execute();
        assert.deepEqual(
          (await s.actions.actionsOf([e!])).map((x) => x.actionIndex),
          [null, null],
        );
        await backfillActionIndex(db as never);
        assert.deepEqual(
          (await s.actions.actionsOf([e!])).map((x) => x.actionIndex),
          [0, 1],
        );
        await drainQueue();
      });
    });

    describe("webhook endpoints", () => {
      /** Webhook actions (and their jobs) for `n` new items to `target`, in order. */
      async function hooks(n: number, target: string, prefix: string): Promise<number[]> {
        const rule = await s.rules.create(org.id, {
          name: `endpoint-${prefix}`,
          conditions: {},
          actions: [{ type: "webhook", url: target, secret: "whsec_x" }],
        });
        const items = await newItems(n, prefix);
        await s.jobs.complete((await s.jobs.leaseRefs("content", items, "w", 60_000)).map((j) => j.id));
        await s.actions.commitResults({
          actions: items.map((itemId) => ({
            itemId,
            orgId: org.id,
            ruleId: rule.id,
            actionIndex: 0,
            type: "webhook" as const,
            deliveryId: `msg_${itemId}_${rule.id}_0`,
            target,
            payload: "{}",
          })),
          finish: () => [],
          classifications: [],
          completedJobs: [],
          now: Date.now(),
        });
        return (await s.actions.actionsOf(items)).map((a) => a.id).sort((a, b) => a - b);
      }
      const lease = (perEndpoint: number, skip: { orgId: number; origin: string }[] = []) =>
        s.endpoints.leaseDeliveries({ owner: "w", leaseMs: 60_000, limit: 100, perEndpoint, skip });

      it("leases at most perEndpoint jobs of each endpoint (organisation + origin), oldest first, skipping those asked", async () => {
        await drainQueue();
        const a = await hooks(5, "https://a.example:8443/hook?x=1", "ep-a");
        const b = await hooks(2, "http://b.example/other/path", "ep-b");
        const first = await lease(2);
        assert.deepEqual(
          first.map((d) => [d.job.refId, d.endpoint.origin, d.endpoint.orgId]),
          [
            [a[0], "https://a.example:8443", org.id],
            [a[1], "https://a.example:8443", org.id],
            [b[0], "http://b.example", org.id],
            [b[1], "http://b.example", org.id],
          ],
        );
        assert.equal(first[0]!.job.attempts, 1, "the attempt is counted");
        assert.deepEqual(await lease(2, [{ orgId: org.id, origin: "https://a.example:8443" }]), [], "a skipped");
        assert.deepEqual(
          (await lease(2)).map((d) => d.job.refId),
          [a[2], a[3]],
        );
        await drainQueue();
      });

      it("failures in a row over the minimum time disable an endpoint; its jobs are held until it is enabled", async () => {
        await drainQueue();
        const origin = "https://down.example";
        const ids = await hooks(3, `${origin}/hook`, "ep-down");
        const endpoint = { orgId: org.id, origin };
        const policy = { failures: 3, minMs: 1000 };
        const t = 1_700_000_000_000;
        // A success with nothing recorded before writes nothing.
        assert.deepEqual(await s.endpoints.recordOutcomes([{ endpoint, ok: true, at: t }], policy), []);
        assert.deepEqual(await s.endpoints.list(org.id), []);
        const fail = (at: number) => ({ endpoint, ok: false, error: `HTTP 500 at ${at}`, at });
        assert.deepEqual(await s.endpoints.recordOutcomes([fail(t), fail(t + 400)], policy), []);
        // A success clears the run of failures.
        await s.endpoints.recordOutcomes([{ endpoint, ok: true, at: t + 500 }], policy);
        let [row] = await s.endpoints.list(org.id);
        assert.deepEqual([row?.state, row?.failures, row?.failingSince], ["active", 0, null]);
        // Three in a row, but within less than the minimum time: still active.
        await s.endpoints.recordOutcomes([fail(t + 600), fail(t + 700), fail(t + 800)], policy);
        [row] = await s.endpoints.list(org.id);
        assert.deepEqual([row?.state, row?.failures, row?.failingSince], ["active", 3, t + 600]);
        const disabled = await s.endpoints.recordOutcomes([fail(t + 1600)], policy);
        assert.equal(disabled.length, 1);
        assert.deepEqual(
          [disabled[0]!.state, disabled[0]!.since, disabled[0]!.failures, disabled[0]!.lastError],
          ["disabled", t + 1600, 4, `HTTP 500 at ${t + 1600}`],
        );
        assert.deepEqual(await s.endpoints.recordOutcomes([fail(t + 1700)], policy), [], "disabled once");
        assert.equal((await s.endpoints.get(disabled[0]!.id))?.state, "disabled");
        assert.deepEqual(await lease(10), [], "held: not leased");
        assert.equal((await s.jobs.counts())["webhook.queued"], 3, "held, not lost");

        const other = await s.signals.createOrg("Other org", "ngo");
        assert.deepEqual(await s.endpoints.list(other.id), [], "per organisation");
        const { endpoint: enabled, released } = await s.endpoints.enable(disabled[0]!.id, t + 5000);
        assert.deepEqual([enabled.state, enabled.since, enabled.failures, released], ["active", t + 5000, 0, 3]);
        const back = await lease(10);
        assert.deepEqual(
          back.map((d) => [d.job.refId, d.job.attempts]),
          ids.map((id) => [id, 1]),
        );
        await assert.rejects(s.endpoints.enable(999_999, t), /no webhook endpoint with id 999999/);
        await drainQueue();
      });
    });

    describe("reviews", () => {
      it("open entries by priority then age; a claim succeeds once; decided ones latest first", async () => {
        const orgB = await s.signals.createOrg("Reviewers", "platform");
        const pB = (await s.access.createPerson(orgB.id, "rev", "reviewer")).id;
        const rule = await s.rules.create(orgB.id, { name: "r", conditions: {}, actions: [{ type: "review" }] });
        const ids = (await s.content.accept([0, 1, 2].map((i) => content(orgB.id, pB, `rev-${i}`)))).map(
          (r) => accepted(r).id,
        );
        await s.actions.commitResults({
          actions: ids.map((itemId, i) => ({
            itemId,
            orgId: orgB.id,
            ruleId: rule.id,
            actionIndex: 0,
            type: "review" as const,
            deliveryId: `msg_${itemId}_${rule.id}_0`,
            target: "",
            payload: "{}",
            reviewPriority: [5, 9, 5][i]!,
          })),
          finish: () => [],
          classifications: [],
          completedJobs: [],
          now: Date.now(),
        });
        const open = await s.reviews.listReviews(orgB.id, "open", 10);
        assert.deepEqual(
          open.map((r) => r.itemId),
          [ids[1], ids[0], ids[2]],
        );
        assert.deepEqual(await s.reviews.listReviews(org.id + 10_000, "open", 10), []);
        const target = open[1]!;
        assert.equal((await s.reviews.getReview(target.id))?.status, "open");
        const decision = {
          decision: "violating",
          note: "n",
          labels: '{"entity":["isis"]}',
          reasons: "recruitment",
          bankId: null,
          decidedBy: pB,
          decidedAt: 1234,
        };
        assert.equal(await s.reviews.claimReview(target.id, decision), true);
        assert.equal(await s.reviews.claimReview(target.id, { ...decision, decision: "not_violating" }), false);
        await s.reviews.setAddedSignals(target.id, [4, 5]);
        const decided = (await s.reviews.getReview(target.id))!;
        assert.deepEqual(
          [
            decided.status,
            decided.decision,
            decided.labels,
            decided.decidedBy,
            decided.decidedAt,
            decided.addedSignals,
          ],
          ["decided", "violating", '{"entity":["isis"]}', pB, 1234, "[4,5]"],
        );
        assert.equal(await s.reviews.claimReview(open[0]!.id, decision), true);
        // The measurement reads see people's decisions (re-upload and decision figures, issue 16).
        assert.deepEqual(
          (await s.measures.itemDecisions(ids)).map((d) => [d.itemId, d.decision, d.decidedAt]),
          [
            [target.itemId, "violating", 1234],
            [open[0]!.itemId, "violating", 1234],
          ].sort((a, b) => Number(a[0]) - Number(b[0])),
        );
        assert.deepEqual(await s.measures.itemDecisions([]), []);
        assert.deepEqual(
          (await s.reviews.listReviews(orgB.id, "decided", 10)).map((r) => r.id),
          [Math.max(open[0]!.id, target.id), Math.min(open[0]!.id, target.id)],
        );
        assert.equal(await s.reviews.getReview(999_999), undefined);
        await drainQueue();
      });
    });

    describe("the review queue's filters and pages (migration 0025)", () => {
      it("filters by kind, bank, platform, language and reason, combined; counts with them; pages by cursor", async () => {
        const orgQ = await s.signals.createOrg("Queue filters", "platform");
        const pQ = (await s.access.createPerson(orgQ.id, "qrev", "reviewer")).id;
        const bankA = await s.signals.createBank({ orgId: orgQ.id, name: "QUEUE_A" });
        const bankB = await s.signals.createBank({ orgId: orgQ.id, name: "QUEUE_B" });
        const rule = await s.rules.create(orgQ.id, { name: "q", conditions: {}, actions: [{ type: "review" }] });
        const specs = [
          { kind: "image", platform: "tube", banks: [bankA.id], reason: undefined, p: 0.9, lang: undefined },
          { kind: "text", platform: "tube", banks: [], reason: "stance", p: 0.8, lang: "ar" },
          { kind: "text", platform: "chat", banks: [bankB.id], reason: "account", p: 0.8, lang: "en" },
          { kind: "image", platform: "chat", banks: [bankA.id, bankB.id], reason: "link", p: 0.5, lang: undefined },
          { kind: "url", platform: "tube", banks: [bankB.id], reason: undefined, p: 0.8, lang: undefined },
        ] as const;
        const ids = (
          await s.content.accept(
            specs.map((x, i) =>
              content(orgQ.id, pQ, `queue-${i}`, {
                kind: x.kind,
                platform: x.platform,
                ...(x.kind === "url" ? { url: "https://example.com/q", text: null } : {}),
              }),
            ),
          )
        ).map((r) => accepted(r).id);
        await s.actions.commitResults({
          actions: ids.map((itemId, i) => ({
            itemId,
            orgId: orgQ.id,
            ruleId: rule.id,
            actionIndex: 0,
            type: "review" as const,
            deliveryId: `msg_${itemId}_${rule.id}_0`,
            target: "",
            payload: "{}",
            reviewPriority: specs[i]!.p,
            ...(specs[i]!.reason ? { reviewReason: specs[i]!.reason } : {}),
            reviewBanks: specs[i]!.banks,
          })),
          finish: () => [],
          classifications: specs.flatMap((x, i) =>
            x.lang
              ? [
                  {
                    itemId: ids[i]!,
                    model: "m",
                    label: "pro",
                    score: 0.9,
                    pPro: 0.9,
                    pAnti: 0.05,
                    pNeutral: 0.05,
                    lang: x.lang,
                    behaviour: null,
                    classifiedAt: 1,
                  },
                ]
              : [],
          ),
          completedJobs: [],
          now: Date.now(),
        });
        const items = async (f: ReviewFilter, limit = 100) =>
          (await s.reviews.listReviews(orgQ.id, "open", limit, undefined, f)).map((r) => ids.indexOf(r.itemId));
        const count = (f: ReviewFilter) => s.reviews.countReviews(orgQ.id, "open", undefined, f);
        assert.deepEqual(await items({}), [0, 1, 2, 4, 3], "priority, then oldest");
        assert.deepEqual(await items({ kind: "image" }), [0, 3]);
        assert.deepEqual(await items({ bankId: bankB.id }), [2, 4, 3]);
        assert.deepEqual(await items({ bankId: bankA.id, kind: "image", platform: "chat" }), [3]);
        assert.deepEqual(await items({ platform: "tube" }), [0, 1, 4]);
        assert.deepEqual(await items({ language: "ar" }), [1]);
        assert.deepEqual(await items({ language: "und" }), [0, 4, 3]);
        assert.deepEqual(await items({ reason: "match" }), [0, 4], "match when banks and no reason given");
        assert.deepEqual(await items({ reason: "stance" }), [1]);
        assert.deepEqual(await items({ reason: "account" }), [2]);
        assert.deepEqual(await items({ reason: "link" }), [3]);
        assert.equal(await count({}), 5);
        assert.equal(await count({ bankId: bankB.id, platform: "tube" }), 1);
        assert.equal(await count({ kind: "video" }), 0);
        // Pages: after (0.8, entry of item 1) come items 2 and 4 (same priority, younger), then 3.
        const all = await s.reviews.listReviews(orgQ.id, "open", 100);
        const second = all[1]!;
        assert.deepEqual(await items({ after: { priority: second.priority, id: second.id } }, 2), [2, 4]);
        assert.deepEqual(await items({ after: { priority: 0.8, id: all[3]!.id } }), [3]);
        assert.deepEqual(await items({ bankId: bankB.id, after: { priority: 0.8, id: all[2]!.id } }), [4, 3]);
        const banks = await s.reviews.reviewBanks(all.map((r) => r.id));
        assert.deepEqual(
          banks.get(all[4]!.id),
          [bankA.id, bankB.id].sort((a, b) => a - b),
        );
        assert.deepEqual(banks.get(all[1]!.id), []);
        assert.equal(all[0]!.reason, "match");
        // Decided ones page by id, latest first.
        for (const r of all.slice(0, 3))
          assert.ok(
            await s.reviews.claimReview(r.id, {
              decision: "not_violating",
              note: "",
              labels: "{}",
              reasons: "r",
              bankId: null,
              decidedBy: pQ,
              decidedAt: 5,
            }),
          );
        const decided = await s.reviews.listReviews(orgQ.id, "decided", 100);
        assert.equal(decided.length, 3);
        assert.deepEqual(
          (await s.reviews.listReviews(orgQ.id, "decided", 100, undefined, { after: { id: decided[0]!.id } })).map(
            (r) => r.id,
          ),
          decided.slice(1).map((r) => r.id),
        );
        assert.equal(await s.reviews.countReviews(orgQ.id, "decided", undefined, { kind: "text" }), 2);
        // Another organisation's queue is empty whatever the filters.
        assert.deepEqual(await s.reviews.listReviews(org.id + 20_000, "open", 10, undefined, { bankId: bankA.id }), []);
        await drainQueue();
      });

      it("an item already in review whose links matched: its entry gains the hop matches' banks", async () => {
        const orgH = await s.signals.createOrg("Queue hops", "platform");
        const pH = (await s.access.createPerson(orgH.id, "hrev", "reviewer")).id;
        const bank = await s.signals.createBank({ orgId: orgH.id, name: "HOP_BANK" });
        const rule = await s.rules.create(orgH.id, { name: "h", conditions: {}, actions: [{ type: "review" }] });
        const [item] = (await s.content.accept([content(orgH.id, pH, "hop-0")])).map((r) => accepted(r).id);
        const now = Date.now();
        const base = { finish: () => [], classifications: [], completedJobs: [], now };
        await s.actions.commitResults({
          ...base,
          actions: [
            {
              itemId: item!,
              orgId: orgH.id,
              ruleId: rule.id,
              actionIndex: 0,
              type: "review" as const,
              deliveryId: `msg_${item}_${rule.id}_0`,
              target: "",
              payload: "{}",
              reviewReason: "stance",
            },
          ],
        });
        const [entry] = await s.reviews.listReviews(orgH.id, "open", 10);
        assert.deepEqual((await s.reviews.reviewBanks([entry!.id])).get(entry!.id), []);
        const linked = [{ id: item!, hashes: "{}", matches: JSON.stringify([{ signalId: 9, bankId: bank.id }]) }];
        await s.actions.commitResults({ ...base, actions: [], linked });
        await s.actions.commitResults({ ...base, actions: [], linked });
        assert.deepEqual((await s.reviews.reviewBanks([entry!.id])).get(entry!.id), [bank.id]);
        assert.equal(await s.reviews.countReviews(orgH.id, "open", undefined, { bankId: bank.id }), 1);
        assert.equal((await s.reviews.getReview(entry!.id))!.reason, "stance", "the reason it was queued stays");
      });
    });

    describe("rules", () => {
      it("create, unique names per organisation, update, get, list by organisation, delete", async () => {
        const other = await s.signals.createOrg("Rule Org", "platform");
        const rule = await s.rules.create(other.id, {
          name: "hooks",
          enabled: false,
          conditions: { bankIds: [1] },
          actions: [{ type: "webhook", url: "https://example.org/x", secret: "whsec_y" }],
        });
        assert.deepEqual([rule.orgId, rule.enabled, rule.conditions], [other.id, false, { bankIds: [1] }]);
        await assert.rejects(
          s.rules.create(other.id, { name: "hooks", conditions: {}, actions: [] }),
          (e: unknown) => isRasdError(e) && e.code === "conflict",
        );
        const updated = await s.rules.update(rule.id, { enabled: true, actions: [{ type: "review" }] });
        assert.deepEqual([updated.enabled, updated.name, updated.actions], [true, "hooks", [{ type: "review" }]]);
        await assert.rejects(
          s.rules.update(999_999, { enabled: true }),
          (e: unknown) => isRasdError(e) && e.code === "not_found",
        );
        assert.deepEqual((await s.rules.get(rule.id))?.actions, [{ type: "review" }]);
        assert.deepEqual(
          (await s.rules.list(other.id)).map((r) => r.id),
          [rule.id],
        );
        assert.ok((await s.rules.list()).length > 1, "every organisation's rules");
        await s.rules.delete(rule.id);
        assert.equal(await s.rules.get(rule.id), undefined);
      });
    });

    describe("access and accounts", () => {
      it("people, keys (found by prefix, revoked), sharing, audit", async () => {
        const other = await s.signals.createOrg("Access Org", "ngo");
        const bob = await s.access.createPerson(other.id, "bob", "curator");
        assert.deepEqual([bob.orgId, bob.name, bob.role], [other.id, "bob", "curator"]);
        await assert.rejects(
          s.access.createPerson(other.id, "bob", "reader"),
          (e: unknown) => isRasdError(e) && e.code === "conflict",
        );
        assert.deepEqual(await s.access.getPerson(bob.id), bob);
        assert.deepEqual(
          (await s.access.listPeople(other.id)).map((p) => p.name),
          ["bob"],
        );
        const keyId = await s.access.createKey(bob.id, "abcdef012345", "ff".repeat(32));
        const key = (await s.access.findKey("abcdef012345"))!;
        assert.deepEqual(
          [key.keyId, key.secretHash, key.revoked, key.person.id],
          [keyId, "ff".repeat(32), false, bob.id],
        );
        assert.equal(await s.access.keyOrg(keyId), other.id);
        assert.equal(await s.access.keyOrg(999_999), undefined);
        await s.access.revokeKey(keyId);
        assert.equal((await s.access.findKey("abcdef012345"))?.revoked, true);
        assert.equal(await s.access.findKey("000000000000"), undefined);

        const bank = await s.signals.createBank({ orgId: other.id, name: "shared" });
        await s.access.setSharing(bank.id, [org.id, org.id], [bob.id]);
        assert.deepEqual(await s.access.allSharing().then((m) => m.get(bank.id)), {
          orgs: new Set([org.id]),
          people: new Set([bob.id]),
        });
        await s.access.setSharing(bank.id, [], []);
        assert.equal((await s.access.allSharing()).get(bank.id), undefined);

        for (const target of ["signal:1", "signal:2", "signal:1"])
          await s.access.audit({
            orgId: other.id,
            personId: bob.id,
            actor: "bob",
            action: "x",
            target,
            source: "test",
            detail: { t: target },
          });
        const newest = await s.access.listAudit(other.id, { limit: 2 });
        assert.deepEqual(
          newest.map((a) => a.target),
          ["signal:1", "signal:2"],
        );
        assert.deepEqual(newest[0]!.detail, { t: "signal:1" });
        const onOne = await s.access.listAudit(other.id, { target: "signal:1" });
        assert.equal(onOne.length, 2);
        assert.ok(onOne[0]!.id < onOne[1]!.id, "a target's history runs oldest first");
        assert.deepEqual(await s.access.listAudit(org.id, { target: "signal:1" }), [], "per organisation");
      });

      it("key lifecycle: name, creator, expiry, last use, rotation with an overlap, listed per organisation", async () => {
        const other = await s.signals.createOrg("Key Org", "platform");
        const admin = await s.access.createPerson(other.id, "kay", "admin");
        const holder = await s.access.createPerson(other.id, "kit", "submitter");
        const expiresAt = Date.now() + 86_400_000;
        const keyId = await s.access.createKey(holder.id, "1234567890ab", "aa".repeat(32), {
          name: "uploader",
          expiresAt,
          createdBy: admin.id,
        });
        const plain = await s.access.createKey(admin.id, "1234567890ac", "bb".repeat(32));
        const found = (await s.access.findKey("1234567890ab"))!;
        assert.deepEqual([found.expiresAt, found.previousSecretHash, found.previousExpiresAt], [expiresAt, null, null]);
        const info = (await s.access.getKey(keyId))!;
        assert.deepEqual(
          {
            name: info.name,
            prefix: info.prefix,
            person: info.person.name,
            createdBy: info.createdBy,
            lastUsedAt: info.lastUsedAt,
            expiresAt: info.expiresAt,
            rotatedAt: info.rotatedAt,
            revokedAt: info.revokedAt,
          },
          {
            name: "uploader",
            prefix: "1234567890ab",
            person: "kit",
            createdBy: { id: admin.id, name: "kay" },
            lastUsedAt: null,
            expiresAt,
            rotatedAt: null,
            revokedAt: null,
          },
        );
        assert.ok(typeof info.createdAt === "number" && info.createdAt > 0);
        assert.equal((await s.access.getKey(plain))?.createdBy, null, "made by an operator");
        assert.equal(await s.access.getKey(999_999), undefined);

        await s.access.touchKey(keyId, 1_700_000_000_123);
        assert.equal((await s.access.getKey(keyId))?.lastUsedAt, 1_700_000_000_123);

        const until = Date.now() + 3_600_000;
        assert.equal(await s.access.rotateKey(keyId, "cc".repeat(32), until), true);
        const rotated = (await s.access.findKey("1234567890ab"))!;
        assert.deepEqual(
          [rotated.keyId, rotated.secretHash, rotated.previousSecretHash, rotated.previousExpiresAt],
          [keyId, "cc".repeat(32), "aa".repeat(32), until],
        );
        assert.ok(((await s.access.getKey(keyId))?.rotatedAt ?? 0) > 0);
        assert.equal(await s.access.rotateKey(keyId, "dd".repeat(32), null), true);
        const again = (await s.access.findKey("1234567890ab"))!;
        assert.deepEqual(
          [again.secretHash, again.previousSecretHash, again.previousExpiresAt],
          ["dd".repeat(32), null, null],
        );

        await s.access.revokeKey(plain);
        assert.equal(await s.access.rotateKey(plain, "ee".repeat(32), null), false, "a revoked key is not rotated");
        assert.equal((await s.access.findKey("1234567890ac"))?.secretHash, "bb".repeat(32));
        assert.equal(await s.access.rotateKey(999_999, "ee".repeat(32), null), false);

        const listed = await s.access.listKeys(other.id);
        assert.deepEqual(
          listed.map((k) => [k.keyId, k.person.name, k.revokedAt !== null]),
          [
            [keyId, "kit", false],
            [plain, "kay", true],
          ],
        );
        assert.ok(!JSON.stringify(listed).includes("dd".repeat(32)), "no secret hash in a listing");
        assert.ok(
          (await s.access.listKeys(org.id)).every((k) => k.person.orgId === org.id),
          "only the organisation's keys",
        );
      });

      it("passwords and sessions: found by organisation and name, revoked one by one or all, and with their key", async () => {
        const other = await s.signals.createOrg("Account Org", "ngo");
        const carol = await s.access.createPerson(other.id, "carol", "reviewer");
        assert.equal((await s.accounts.findPerson("Account Org", "carol"))?.passwordHash, null);
        await s.accounts.setPasswordHash(carol.id, "scrypt$x");
        assert.equal((await s.accounts.findPerson("Account Org", "carol"))?.passwordHash, "scrypt$x");
        assert.equal(await s.accounts.findPerson("Platform", "carol"), undefined);
        const session = (prefix: string, keyId: number | null = null) =>
          s.accounts.createSession({ personId: carol.id, keyId, prefix, secretHash: "aa", expiresAt: 99, source: "t" });
        const one = await session("1111111111111111");
        const found = (await s.accounts.findSession("1111111111111111"))!;
        assert.deepEqual(
          [found.sessionId, found.expiresAt, found.revoked, found.person.id],
          [one, 99, false, carol.id],
        );
        await s.accounts.revokeSession(one);
        assert.equal((await s.accounts.findSession("1111111111111111"))?.revoked, true);
        const keyId = await s.access.createKey(carol.id, "carolkey0000", "bb");
        await session("2222222222222222", keyId);
        await session("3333333333333333");
        assert.equal((await s.accounts.findSession("2222222222222222"))?.revoked, false);
        await s.access.revokeKey(keyId);
        assert.equal((await s.accounts.findSession("2222222222222222"))?.revoked, true, "its key was revoked");
        assert.equal((await s.accounts.findSession("3333333333333333"))?.revoked, false);
        await s.accounts.revokeSessionsOf(carol.id);
        assert.equal((await s.accounts.findSession("3333333333333333"))?.revoked, true);
      });
    });

    describe("the audit log's hash chains (migration 0008)", () => {
      const entry = (orgId: number | null, target: string) => ({
        orgId,
        personId: null,
        actor: "chain-test",
        action: "test.chain",
        target,
        source: "test",
        detail: { target },
      });
      const raw = () => {
        assert.ok(s.signals instanceof KyselyStore);
        return s.signals.db;
      };

      it("each organisation's entries form a chain numbered from 1, each hash over its fields and the one before", async () => {
        const o = await s.signals.createOrg("Chain Org", "ngo");
        for (const t of ["a", "b", "c"]) await s.access.audit(entry(o.id, t));
        await s.access.audit(entry(null, "nobody's"));
        const chain = await s.access.auditChain(o.id, 0, 100);
        assert.deepEqual(
          chain.map((e) => [e.seq, e.target, e.chain, e.detail]),
          [
            [1, "a", o.id, '{"target":"a"}'],
            [2, "b", o.id, '{"target":"b"}'],
            [3, "c", o.id, '{"target":"c"}'],
          ],
        );
        assert.equal(chain[0]!.prevHash, GENESIS_HASH);
        for (const [i, e] of chain.entries()) {
          assert.equal(e.hash, auditHash(e.prevHash, e));
          if (i > 0) assert.equal(e.prevHash, chain[i - 1]!.hash);
        }
        assert.deepEqual(
          (await s.access.auditChainHeads()).find((h) => h.chain === o.id),
          { chain: o.id, seq: 3, hash: chain[2]!.hash },
        );
        assert.deepEqual(
          (await s.access.auditChain(o.id, 2, 100)).map((e) => e.seq),
          [3],
        );
        assert.ok((await s.access.auditChain(0, 0, 1000)).some((e) => e.target === "nobody's"));
        const checked = await verifyAudit(s.access, [o.id, 0]);
        assert.equal(checked.ok, true, JSON.stringify(checked));
        assert.equal(checked.chains[0]!.entries, 3);
      });

      it("appenders in two processes at once still make one unbroken chain", async () => {
        const o = await s.signals.createOrg("Busy Chain Org", "platform");
        // The other process: a child node appending 30 entries while this one appends 30.
        const script = `
          const { openStores } = await import(${JSON.stringify(new URL("../../src/storage/open.ts", import.meta.url).href)});
          const s = await openStores(process.argv[1]);
          for (let i = 0; i < 30; i++) {
            await s.access.audit({ orgId: Number(process.argv[2]), personId: null, actor: "child",
              action: "test.chain", target: "child-" + i, source: "test" });
            await new Promise((r) => setTimeout(r, 3));
          }
          await s.close();`;
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "--input-type=module", "-e", script, database.url, String(o.id)],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        let code: number | null | undefined;
        child.on("exit", (c) => (code = c));
        let mine = 0;
        while (code === undefined) {
          await s.access.audit(entry(o.id, `parent-${mine++}`));
          await sleep(2);
        }
        assert.equal(code, 0, stderr);
        const chain = await s.access.auditChain(o.id, 0, 1000);
        assert.deepEqual(
          chain.map((e) => e.seq),
          Array.from({ length: mine + 30 }, (_, i) => i + 1),
        );
        const children = chain.filter((e) => e.actor === "child").map((e) => e.seq);
        assert.equal(children.length, 30);
        assert.ok(
          chain.some((e) => e.actor !== "child" && e.seq > children[0]! && e.seq < children.at(-1)!),
          "the two processes' entries interleave",
        );
        assert.equal((await verifyAudit(s.access, [o.id])).ok, true);
      });

      it("an entry changed, removed from the middle or cut off the end is found, naming where", async () => {
        const o = await s.signals.createOrg("Tampered Chain Org", "government");
        for (const t of ["1", "2", "3", "4", "5"]) await s.access.audit(entry(o.id, t));
        const ids = (await s.access.auditChain(o.id, 0, 10)).map((e) => e.id);
        const db = raw();

        await db.updateTable("audit_log").set({ target: "signal:innocent" }).where("id", "=", ids[1]!).execute();
        let broken = (await verifyAudit(s.access, [o.id])).chains[0]!.broken;
        assert.equal(broken?.id, ids[1]);
        assert.match(broken!.reason, /changed after it was written/);
        // Recomputing that entry's own hash does not help: the next entry's link breaks.
        const [e2] = await s.access.auditChain(o.id, 1, 1);
        await db
          .updateTable("audit_log")
          .set({ hash: auditHash(e2!.prevHash, e2!) })
          .where("id", "=", ids[1]!)
          .execute();
        broken = (await verifyAudit(s.access, [o.id])).chains[0]!.broken;
        assert.equal(broken?.id, ids[2]);
        assert.match(broken!.reason, /does not follow the entry before it/);

        const other = await s.signals.createOrg("Cut Chain Org", "ngo");
        for (const t of ["1", "2", "3", "4"]) await s.access.audit(entry(other.id, t));
        const otherIds = (await s.access.auditChain(other.id, 0, 10)).map((e) => e.id);
        await db.deleteFrom("audit_log").where("id", "=", otherIds[3]!).execute();
        broken = (await verifyAudit(s.access, [other.id])).chains[0]!.broken;
        assert.equal(broken?.id, null);
        assert.match(broken!.reason, /removed from its end/);
        await db.deleteFrom("audit_log").where("id", "=", otherIds[1]!).execute();
        broken = (await verifyAudit(s.access, [other.id])).chains[0]!.broken;
        assert.equal(broken?.id, otherIds[2]);
        assert.match(broken!.reason, /removed or renumbered/);
      });

      it("the migration chains the entries written before it, in the order they were written", async () => {
        const fresh = await makeDatabase();
        try {
          const db = bareDatabase(fresh.url);
          const { error } = await new Migrator({
            db,
            provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
          }).migrateTo("0005-action-index");
          assert.equal(error, undefined);
          const old = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
          for (const [org, target] of [
            [null, "x"],
            [7, "a"],
            [7, "b"],
            [null, "y"],
          ] as const)
            await old
              .insertInto("audit_log")
              .values({
                at: 1000,
                org_id: org,
                person_id: null,
                actor: "old",
                action: "old",
                target,
                detail: "{}",
                source: "cli",
              })
              .execute();
          await db.destroy();
          const migrated = await openStores(fresh.url);
          try {
            const checked = await verifyAudit(migrated.access);
            assert.equal(checked.ok, true, JSON.stringify(checked));
            assert.deepEqual(
              checked.chains.map((c) => [c.chain, c.entries]),
              [
                [0, 2],
                [7, 2],
              ],
            );
            assert.deepEqual(
              (await migrated.access.auditChain(7, 0, 10)).map((e) => e.target),
              ["a", "b"],
            );
            await migrated.access.audit(entry(7, "c"));
            assert.equal((await verifyAudit(migrated.access, [7])).chains[0]!.entries, 3);
          } finally {
            await migrated.close();
          }
        } finally {
          await fresh.drop();
        }
      });
    });

    describe("dashboard and measurement reads", () => {
      let measured: Org;
      const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

      before(async () => {
        if (skip) return;
        measured = await s.signals.createOrg("Measured", "platform");
        const p = (await s.access.createPerson(measured.id, "m", "submitter")).id;
        const hist = (i: number, label: string, lang: string, extra: object = {}) => ({
          orgId: measured.id,
          personId: p,
          idempotencyKey: `m-${i}`,
          kind: "text" as const,
          contentId: `m-${i}`,
          authorId: "a",
          postedAt: null,
          text: `m ${i}`,
          platform: i === 3 ? "Shorts" : "",
          country: i === 2 ? "IQ" : "",
          receivedAt: T0 + i * HOUR,
          hashedAt: T0 + i * HOUR + 1,
          matchedAt: T0 + i * HOUR + 2,
          classifiedAt: T0 + i * HOUR + 3,
          actedAt: null,
          classification: {
            model: i === 4 ? "old" : "m1",
            label,
            score: 0.9,
            pPro: 0.3,
            pAnti: 0.3,
            pNeutral: 0.4,
            lang,
            behaviour: null,
            classifiedAt: T0 + i * HOUR + 3,
          },
          ...extra,
        });
        const out = (kind: string, at: number) => ({
          orgId: measured.id,
          personId: p,
          kind,
          basis: "",
          reason: "",
          authority: "",
          note: "",
          at,
        });
        await s.content.importHistory([
          hist(0, "pro", "en", { outcomes: [out("removal_order", T0 + 10), out("removed", T0 + 20)] }),
          hist(1, "pro", "ar"),
          hist(2, "anti", "ar", { actedAt: T0 + 2 * HOUR + 5 }),
          hist(3, "neutral", "en"),
          hist(4, "pro", "en"),
        ]);
      });

      it("stance counts per hour, label, language and model, within the scope", async () => {
        const all = await s.measures.stanceCounts({ from: T0, to: T0 + 10 * HOUR, orgId: measured.id });
        const key = (c: { hour: number; label: string; lang: string; model: string; n: number }) =>
          `${(c.hour * HOUR - T0) / HOUR}:${c.label}:${c.lang}:${c.model}:${c.n}`;
        assert.deepEqual(all.map(key).sort(), [
          "0:pro:en:m1:1",
          "1:pro:ar:m1:1",
          "2:anti:ar:m1:1",
          "3:neutral:en:m1:1",
          "4:pro:en:old:1",
        ]);
        assert.deepEqual(
          (await s.measures.stanceCounts({ from: T0, to: T0 + 10 * HOUR, orgId: measured.id, lang: "ar" }))
            .map(key)
            .sort(),
          ["1:pro:ar:m1:1", "2:anti:ar:m1:1"],
        );
        assert.deepEqual(
          (await s.measures.stanceCounts({ from: T0, to: T0 + 10 * HOUR, orgId: measured.id, country: "iq" })).map(key),
          ["2:anti:ar:m1:1"],
        );
        assert.deepEqual(
          (await s.measures.stanceCounts({ from: T0, to: T0 + 10 * HOUR, platform: "Shorts" })).map(key),
          ["3:neutral:en:m1:1"],
        );
        assert.equal(
          (await s.measures.stanceCounts({ from: T0, to: T0 + 10 * HOUR, platform: "Measured" })).length,
          4,
          "items without a platform count as the member's",
        );
        assert.deepEqual(
          await s.measures
            .stanceCounts({ from: T0 + HOUR, to: T0 + HOUR + 1, orgId: measured.id })
            .then((c) => c.map(key)),
          ["1:pro:ar:m1:1"],
        );
      });

      it("takedown items, outcome times and events, report counts", async () => {
        const scope = { from: T0, to: T0 + 10 * HOUR, orgId: measured.id };
        const items = await s.measures.takedownItems(scope);
        assert.deepEqual(
          items.map((i) => [i.receivedAt - T0, i.actedAt === null ? null : i.actedAt - T0, i.orgName]),
          [
            [0, null, "Measured"],
            [2 * HOUR, 2 * HOUR + 5, "Measured"],
          ],
          "only items with an outcome, an action or a match",
        );
        const times = await s.measures.outcomeTimes(
          items.map((i) => i.id),
          ["removed"],
        );
        assert.deepEqual(
          times.map((t) => [t.itemId, t.kind, t.at]),
          [[items[0]!.id, "removed", T0 + 20]],
        );
        assert.deepEqual(await s.measures.outcomeTimes([], ["removed"]), []);
        const copies = await s.measures.copyItems(scope);
        assert.deepEqual(
          copies.map((c) => [c.receivedAt - T0, c.kind, c.text, c.mediaSha256]),
          [0, 1, 2, 3, 4].map((i) => [i * HOUR, "text", `m ${i}`, null]),
          "every item received in scope, matched or not",
        );
        const events = await s.measures.outcomeEvents(T0, T0 + 15, measured.id);
        assert.deepEqual(
          events.map((e) => [e.kind, e.orgName, e.at]),
          [["removal_order", "Measured", T0 + 10]],
        );
        assert.equal((await s.measures.outcomeEvents(T0, T0 + HOUR, org.id)).length, 0);
        const banks = (await s.signals.listBanks()).filter((b) => !b.deleted).length;
        assert.equal(await s.measures.activeBankCount(), banks);
        const bank = await s.signals.createBank({ orgId: measured.id, name: "m-bank" });
        await s.signals.upsertSignals(bank.id, [{ type: "url", value: "https://example.org/a" }]);
        assert.equal(await s.measures.activeBankCount(), banks + 1);
        assert.equal(await s.measures.activeSignalCount(), await s.signals.countSignals());
        assert.equal((await s.measures.bankNames()).get(bank.id), "m-bank");
      });

      it("dashboard: activity in a range, signal search by part of a value (wildcards literal)", async () => {
        const act = await s.dashboard.activity(measured.id, T0 + HOUR, T0 + 3 * HOUR);
        assert.deepEqual(
          act.items.map((i) => i.receivedAt - T0),
          [2 * HOUR, HOUR],
        );
        assert.deepEqual(act.actions, []);
        const bank = await s.signals.createBank({ orgId: measured.id, name: "search-bank" });
        await s.signals.upsertSignals(bank.id, [
          { type: "url", value: "https://example.org/100%_real" },
          { type: "url", value: "https://example.org/1000-real" },
          { type: "text", value: "Another Example" },
        ]);
        const find = (q: string, type?: string) =>
          s.dashboard
            .searchSignals({ bankIds: [bank.id], q, limit: 10, ...(type ? { type } : {}) })
            .then((r) => r.map((x) => x.value));
        assert.deepEqual(await find("100%_"), ["https://example.org/100%_real"]);
        assert.deepEqual((await find("EXAMPLE")).length, 3);
        assert.deepEqual(await find("example", "text"), ["Another Example"]);
        assert.deepEqual(await s.dashboard.searchSignals({ bankIds: [], q: "", limit: 10 }), []);
      });
    });
  });
}
