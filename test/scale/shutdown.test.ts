/**
 * A worker never acts on a frozen index, and SIGTERM ends it in every state. Before, after
 * a NATS outage, stopping threw at the NATS drain once the matcher had stopped following
 * changes; the job loops went on leasing, items matching a just-added signal were recorded
 * done with no match, and a just-retracted signal still matched. Real PostgreSQL and a NATS
 * server of the test's own; skips, saying so, when either is missing (unless RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import type { Org } from "../../src/core/model.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { Probe, batchSubmit, probeBank, until } from "../support/faults.js";
import { OwnNatsServer, freePort, natsServerSkip } from "../support/nats-server.js";
import { startReceiver } from "../support/receiver.js";
import { startTestService } from "../support/service.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const skip = await postgresSkip();
const noNats = natsServerSkip();
let db: TestDatabase;

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
});

after(async () => {
  if (skip) return;
  await db.drop();
});

async function submitUrl(s: Services, org: Org, personId: number, url: string): Promise<number> {
  const r = await s.submissions.submit({
    orgId: org.id,
    personId,
    idempotencyKey: url,
    requestHash: createHash("sha256").update(url).digest("hex"),
    kind: "url",
    contentId: url,
    authorId: "",
    postedAt: null,
    mediaType: null,
    media: null,
    url,
    text: null,
    receivedAt: Date.now(),
  });
  if (r instanceof Error) throw r;
  return r.id;
}

test(
  "a worker whose index stopped following changes leaves items queued, then matches them rightly",
  { skip },
  async () => {
    const config = loadConfig({ db: db.url }, {});
    const writer = await openServices(config, { defaultMetrics: false });
    const worker = await openServices(config, { defaultMetrics: false });
    try {
      await startWorkers(writer, false);
      await startWorkers(worker, true);
      const org = await writer.banks.createOrg("Platform", "platform");
      const key = await writer.access.createKey(org, "submitter", "ops");
      const bank = await writer.banks.createBank({ orgId: org.id, name: "links", tlp: "GREEN" });
      await writer.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: "retracted.example" } }]);
      await writer.rules.create(org.id, {
        name: "flag",
        conditions: {},
        actions: [{ type: "decision", decision: "remove" }],
      });
      const [old] = await writer.store.listSignals(bank.id, { limit: 1 });
      await new Promise((r) => setTimeout(r, 300)); // the worker's poll sees it

      // The state the issue found: the matcher no longer follows changes.
      worker.matcher.stop();
      await writer.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: "added.example" } }]);
      await writer.banks.retract(old!.id);
      const added = await submitUrl(writer, org, key.person.id, "https://added.example/1");
      const retracted = await submitUrl(writer, org, key.person.id, "https://retracted.example/1");
      await new Promise((r) => setTimeout(r, 1500));
      for (const item of await writer.content.getItems([added, retracted]))
        assert.equal(item.status, "received", `item ${item.id} was decided on a frozen index`);
      assert.equal((await writer.actions.actionsOf([added, retracted])).length, 0);

      // Following again, the same items get the right answers.
      await worker.matcher.start();
      const until = Date.now() + 10_000;
      for (;;) {
        const items = await writer.content.getItems([added, retracted]);
        if (items.every((i) => i.status === "done")) break;
        if (Date.now() > until) assert.fail(`not done: ${JSON.stringify(items.map((i) => i.status))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const actions = await writer.actions.actionsOf([added, retracted]);
      assert.deepEqual(
        actions.map((a) => a.itemId),
        [added],
        "the new signal matched, the retracted one did not",
      );
    } finally {
      await closeServices(worker);
      await closeServices(writer);
    }
  },
);

test("stopping during a NATS outage finishes in order and never throws", { skip: skip || noNats }, async () => {
  const nats = new OwnNatsServer(await freePort());
  await nats.start();
  const config = loadConfig({ db: db.url }, { RASD_NATS_URL: nats.url, RASD_NATS_PREFIX: `stop${process.pid}` });
  const s = await openServices(config, { defaultMetrics: false });
  try {
    await startWorkers(s, true);
    assert.equal(s.bus!.following, true);
    await nats.stop();
    while (s.work!.state === "connected" || s.bus!.state === "connected") await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    await closeServices(s); // rejected before: the NATS drain threw
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(s.matcher.fresh, false);
    assert.equal(s.bus!.state, "closed");
  } finally {
    await nats.dispose();
  }
});

test(
  "rasd worker given SIGTERM mid-flow during a NATS outage exits 0 within RASD_SHUTDOWN_SECONDS, losing nothing",
  { skip: skip || noNats },
  async () => {
    const nats = new OwnNatsServer(await freePort());
    await nats.start();
    const hook = await startReceiver();
    const env = {
      RASD_NATS_URL: nats.url,
      RASD_NATS_PREFIX: `term${process.pid}`,
      RASD_SECRET_KEY: randomBytes(32).toString("base64"),
      RASD_WEBHOOK_ALLOW_PRIVATE: "1",
      // Long leases: what the next worker finds at once, the stopped one gave back.
      RASD_LEASE_SECONDS: "60",
    };
    const SHUTDOWN_SECONDS = 10;
    const api = await startTestService({ db, workers: false, env });
    const child = spawn(
      process.execPath,
      [join(ROOT, "dist/cli/main.js"), "worker", "--db", db.url, "--metrics-port", "0"],
      {
        env: { ...process.env, ...env, RASD_SHUTDOWN_SECONDS: String(SHUTDOWN_SECONDS) },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let next: Services | undefined;
    try {
      const bank = await probeBank(api, "term", hook.url, 8);
      const probe = new Probe(api.s, bank.id, batchSubmit(api), "term");
      await probe.prepare(30);
      await until("the worker starts", () => err.includes("workers running") || child.exitCode !== null, 30_000);
      assert.equal(child.exitCode, null, err.slice(-2000));
      await nats.stop();
      await until("the worker notices the outage", () => err.includes("disconnected"), 15_000);

      // Items flow (the worker polls the database) until well after SIGTERM.
      let flowing = true;
      const flow = (async () => {
        while (flowing) {
          await probe.addThenSubmit(10);
          await probe.retractThenSubmit(10);
          await probe.plain(40);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await new Promise((r) => setTimeout(r, 1500));
      const t0 = performance.now();
      child.kill("SIGTERM");
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r("still running"), (SHUTDOWN_SECONDS + 5) * 1000)),
      ]);
      const stopMs = performance.now() - t0;
      assert.equal(code, 0, err.slice(-2000));
      assert.match(err, /"msg":"stopped"/);
      assert.ok(stopMs < SHUTDOWN_SECONDS * 1000, `stopping took ${stopMs.toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, 300));
      flowing = false;
      await flow;

      // Another worker (NATS still down) finishes everything, at once: nothing waits for a lease.
      const t1 = performance.now();
      next = await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false, backoffBaseMs: 20 });
      await startWorkers(next, true);
      await api.drain(30_000);
      const recoveryMs = performance.now() - t1;
      const r = await probe.check(api.s, hook);
      process.stderr.write(
        `worker stopped ${stopMs.toFixed(0)} ms after SIGTERM during an outage (limit ${SHUTDOWN_SECONDS} s); ` +
          `${r.items} items (${r.matched} matched), ${r.repeats} webhook repeats; ` +
          `the next worker finished them ${recoveryMs.toFixed(0)} ms after it started\n`,
      );
      assert.ok(recoveryMs < 20_000, `the next worker took ${recoveryMs.toFixed(0)} ms (leases not given back?)`);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      if (next) await closeServices(next);
      await api.close();
      await hook.close();
      await nats.dispose();
    }
  },
);
