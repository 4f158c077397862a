/**
 * A worker never acts on a frozen index, and SIGTERM ends it in every state. Before, after
 * a NATS outage, stopping threw at the NATS drain once the matcher had stopped following
 * changes; the job loops went on leasing, items matching a just-added signal were recorded
 * done with no match, and a just-retracted signal still matched. Real PostgreSQL and a NATS
 * server of the test's own; skips, saying so, when either is missing (unless RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import type { Org } from "../../src/core/model.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { OwnNatsServer, freePort, natsServerSkip } from "../support/nats-server.js";

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

test("rasd worker given SIGTERM during a NATS outage exits, status 0", { skip: skip || noNats }, async () => {
  const nats = new OwnNatsServer(await freePort());
  await nats.start();
  const child = spawn(
    process.execPath,
    [join(ROOT, "dist/cli/main.js"), "worker", "--db", db.url, "--metrics-port", "0"],
    {
      env: {
        ...process.env,
        RASD_NATS_URL: nats.url,
        RASD_NATS_PREFIX: `term${process.pid}`,
        RASD_SHUTDOWN_SECONDS: "20",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const until = Date.now() + 30_000;
    while (!err.includes("workers running")) {
      if (Date.now() > until || child.exitCode !== null) assert.fail(`worker did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await nats.stop();
    while (!err.includes("disconnected")) await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    child.kill("SIGTERM");
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 25_000))]);
    assert.equal(code, 0, err.slice(-2000));
    assert.match(err, /"msg":"stopped"/);
    process.stderr.write(`worker stopped ${(performance.now() - t0).toFixed(0)} ms after SIGTERM during an outage\n`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await nats.dispose();
  }
});
