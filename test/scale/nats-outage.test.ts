/**
 * NATS outages of any length: processes on one PostgreSQL database and a NATS server of
 * the test's own, which it stops and starts. Reconnect waits are short here (at most 300
 * ms, RASD_NATS_RECONNECT_MAX_MS): with the client's old give-up rule (10 attempts) such
 * settings would have given up after about 3 s, so a 5 s outage would have cut the process
 * off for good. The reader polls the change cursor only every 60 s while notices arrive, so
 * a signal it sees quickly while NATS is up came by a notice.
 * Real NATS and PostgreSQL; skips, saying so, when either is missing (unless RASD_REQUIRE_*=1).
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig, type Config } from "../../src/config/config.js";
import { readiness } from "../../src/http/readiness.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { OwnNatsServer, freePort, natsServerSkip } from "../support/nats-server.js";

const skip = natsServerSkip() || (await postgresSkip());
let db: TestDatabase;
let nats: OwnNatsServer;
let config: Config;
const open: Services[] = [];

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  nats = new OwnNatsServer(await freePort());
  config = loadConfig(
    { db: db.url },
    {
      RASD_NATS_URL: nats.url,
      RASD_NATS_PREFIX: `outage${process.pid}`,
      RASD_NATS_RECONNECT_MAX_MS: "300",
      RASD_LEASE_SECONDS: "5",
    },
  );
});

after(async () => {
  if (skip) return;
  for (const s of open) await closeServices(s);
  await nats.dispose();
  await db.drop();
});

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<number> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - t0;
}

let n = 0;
/** Adds a domain signal in `writer` and returns how long until `reader` matches it. */
async function propagate(writer: Services, reader: Services, bankId: number, ms: number): Promise<number> {
  const host = `outage-${n++}.example`;
  assert.equal(reader.matcher.matchUrl(`https://${host}/x`).matches.length, 0);
  await writer.banks.addSignals(bankId, [{ line: 1, raw: { type: "domain", value: host } }]);
  return until(
    `signal ${host} in the other process`,
    () => reader.matcher.matchUrl(`https://${host}/x`).matches.length > 0,
    ms,
  );
}

test(
  "started while NATS is down, a process runs degraded, then follows NATS through a 5 s outage",
  { skip },
  async () => {
    // Both start with NATS down: degraded, not failing. Starting returns while NATS is still
    // down (it gives NATS a moment, then goes on polling), so the test goes on at all.
    const writer = await openServices(config, { defaultMetrics: false });
    open.push(writer);
    const reader = await openServices(config, { defaultMetrics: false, matcherPollMs: 60_000 });
    open.push(reader);
    await startWorkers(writer, false);
    await startWorkers(reader, false);
    assert.notEqual(reader.bus!.state, "connected");
    let r = await readiness(reader);
    assert.equal(r.ready, true, r.problems.join("; "));
    assert.equal(r.signalFeed, "polling");

    const org = await writer.banks.createOrg("Sawab Center", "government");
    const bank = await writer.banks.createBank({ orgId: org.id, name: "links", tlp: "GREEN" });
    // Without NATS, changes arrive by the 100 ms fallback poll.
    await propagate(writer, reader, bank.id, 3000);

    await nats.start();
    await until("both connected and following", () => reader.bus!.following && writer.bus!.following);
    assert.equal((await readiness(reader)).signalFeed, "notices");
    const viaBus = await propagate(writer, reader, bank.id, 3000);

    // A 5 s outage: processes stay up, poll meanwhile, and say so.
    await nats.stop();
    await until("the reader notices the outage", () => !reader.bus!.following);
    r = await readiness(reader);
    assert.equal(r.ready, true);
    assert.equal(r.signalFeed, "polling");
    assert.equal(r.nats, "disconnected");
    const gauge = await reader.metrics.natsConnected.get();
    assert.ok(gauge.values.some((v) => v.labels.connection === "signal bus" && v.value === 0));
    await propagate(writer, reader, bank.id, 3000);
    await new Promise((resolve) => setTimeout(resolve, 5000));

    // Back: the connections come back by themselves and notices flow again.
    await nats.start();
    const recovery = await until("both following again", () => reader.bus!.following && writer.bus!.following);
    const afterOutage = await propagate(writer, reader, bank.id, 3000);
    assert.equal((await readiness(reader)).signalFeed, "notices");
    process.stderr.write(
      `nats outage: notice before ${viaBus.toFixed(0)} ms, after ${afterOutage.toFixed(0)} ms; following again ${recovery.toFixed(0)} ms after restart\n`,
    );
  },
);
