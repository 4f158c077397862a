/**
 * The matcher builds the PDQ index the way the index bench measures it: one bulk build of
 * every active signal at load (no `add`), new signals into the write buffer, and builds
 * and merges in later turns of the event loop — never inside `apply` or a lookup.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Matcher } from "../../src/services/matcher.js";
import { PDQ_INDEX } from "../../src/signals/types/pdq.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import { sqliteDatabase } from "../support/databases.js";
import { prng } from "../support/pdq-oracle.js";

describe("matcher: PDQ index loaded in bulk, grown off the query path", () => {
  it("loads by one bulk build, adds without building, merges in later turns", async () => {
    const database = sqliteDatabase();
    const store = await KyselyStore.open(database.url);
    try {
      const org = await store.createOrg("bulk", "ngo");
      const bank = await store.createBank({ orgId: org.id, name: "b" });
      const rand = prng(21);
      const hex = (): string => Array.from({ length: 64 }, () => Math.floor(rand() * 16).toString(16)).join("");
      const loaded = await store.upsertSignals(
        bank.id,
        Array.from({ length: 3000 }, () => ({ type: "pdq" as const, value: hex() })),
      );
      await store.retractSignal(loaded[0]!.signal.id);

      const matcher = new Matcher(store, { pollMs: 0 });
      await matcher.start();
      const index = matcher.indexOfKind(PDQ_INDEX);
      let s = index.hashes.stats();
      assert.equal(s.bulkLoaded, 2999, "every active hash through the bulk build");
      assert.equal(s.added, 0, "none through add()");
      assert.equal(s.segments, 1);
      assert.equal(s.pending, false);
      assert.equal(matcher.sizes.pdq, 2999);
      assert.equal(matcher.matchPdq([{ hash: loaded[0]!.signal.value, quality: 100 }]).matches.length, 0);
      assert.equal(matcher.matchPdq([{ hash: loaded[1]!.signal.value, quality: 100 }]).matches.length, 1);

      // 5,000 new signals: applied in one synchronous run, no build or merge inside it.
      const more = await store.upsertSignals(
        bank.id,
        Array.from({ length: 5000 }, () => ({ type: "pdq" as const, value: hex() })),
      );
      for (const r of more) matcher.apply(r.signal);
      s = index.hashes.stats();
      assert.equal(s.added, 5000);
      assert.equal(s.merges, 0);
      assert.equal(s.slices, 0);
      assert.equal(s.buffers, 2, "a full write buffer is sealed, not built");
      assert.ok(matcher.maintenancePending);
      for (const r of [more[0]!, more[4999]!])
        assert.deepEqual(
          matcher.matchPdq([{ hash: r.signal.value, quality: 100 }]).matches.map((m) => m.signalId),
          [r.signal.id],
        );

      // The build runs in later turns, a time-bounded slice at a time, between lookups.
      let turns = 0;
      while (matcher.maintenancePending) {
        await new Promise((r) => setImmediate(r));
        turns++;
        const r = more[Math.floor(rand() * more.length)]!;
        assert.equal(matcher.matchPdq([{ hash: r.signal.value, quality: 100 }]).matches.length, 1);
      }
      s = index.hashes.stats();
      assert.ok(turns >= 1);
      assert.ok(s.merges >= 1 && s.slices > s.merges, `${s.merges} merges in ${s.slices} slices`);
      assert.equal(s.pending, false);
      assert.equal(s.hashes, 7999);

      // A retraction reaches the index through the change cursor.
      await store.retractSignal(more[10]!.signal.id);
      await matcher.sync();
      assert.equal(matcher.matchPdq([{ hash: more[10]!.signal.value, quality: 100 }]).matches.length, 0);
      matcher.stop();
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
