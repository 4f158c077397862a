/**
 * Signal changes reach other processes through NATS JetStream: two service instances on
 * one PostgreSQL database, the second with its change polling switched off, so only a
 * JetStream notice can bring it a signal the first one added. Real NATS and PostgreSQL;
 * skips, saying so, when either is unreachable (unless RASD_REQUIRE_NATS=1).
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices, startWorkers, type Services } from "../../src/server/services.js";
import { postgresDatabase, postgresSkip, type TestDatabase } from "../support/databases.js";
import { NATS_URL, deleteStreams, natsSkip } from "../support/nats.js";

const skip = (await natsSkip()) || (await postgresSkip());
const PREFIX = `rasdtest${process.pid}x${Date.now() % 100000}`;
let db: TestDatabase;
let writer: Services;
let reader: Services;

before(async () => {
  if (skip) return;
  db = await postgresDatabase();
  const env = { RASD_NATS_URL: NATS_URL, RASD_NATS_PREFIX: PREFIX };
  writer = await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false });
  reader = await openServices(loadConfig({ db: db.url }, env), { defaultMetrics: false, matcherPollMs: 0 });
  await startWorkers(writer, false);
  await startWorkers(reader, false);
});

after(async () => {
  if (skip) return;
  await closeServices(writer);
  await closeServices(reader);
  await db.drop();
  await deleteStreams(`${PREFIX.toUpperCase()}_SIGNALS`);
});

test(
  "a signal added in one process matches in another within a second, by JetStream notice alone",
  { skip },
  async () => {
    const org = await writer.banks.createOrg("Sawab Center", "government");
    const bank = await writer.banks.createBank({ orgId: org.id, name: "links", tlp: "GREEN" });
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const host = `release-${i}.example`;
      assert.equal(reader.matcher.matchUrl(`https://${host}/x`).matches.length, 0);
      const t0 = performance.now();
      await writer.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: host } }]);
      while (reader.matcher.matchUrl(`https://${host}/x`).matches.length === 0) {
        if (performance.now() - t0 > 5000) assert.fail(`signal ${host} did not reach the other process`);
        await new Promise((r) => setTimeout(r, 2));
      }
      latencies.push(performance.now() - t0);
    }
    // A retraction travels the same way.
    const [signal] = await writer.store.listSignals(bank.id, { limit: 1 });
    await writer.banks.retract(signal!.id);
    const t0 = performance.now();
    while (reader.matcher.matchUrl(`https://${signal!.value}/x`).matches.length > 0) {
      if (performance.now() - t0 > 5000) assert.fail("the retraction did not reach the other process");
      await new Promise((r) => setTimeout(r, 2));
    }
    latencies.sort((a, b) => a - b);
    process.stderr.write(
      `signal bus: p50 ${latencies[10]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms over ${latencies.length} changes\n`,
    );
  },
);

test(
  "a key revoked in one process is refused in another within a second, not after its cache runs out",
  { skip },
  async () => {
    const org = await writer.banks.createOrg("Revoking Platform", "platform");
    const { token, keyId } = await writer.access.createKey(org, "admin", "rotating-admin");
    assert.equal((await reader.access.authenticate(token)).keyId, keyId); // now cached in the reader
    await writer.access.revokeKey(keyId);
    const t0 = performance.now();
    for (;;) {
      const refused = await reader.access.authenticate(token).then(
        () => false,
        (error: unknown) => (error as { code?: string }).code === "auth.invalid",
      );
      if (refused) break;
      if (performance.now() - t0 > 1000)
        assert.fail("the revoked key still authenticates in the other process after 1 s");
      await new Promise((r) => setTimeout(r, 5));
    }
  },
);
