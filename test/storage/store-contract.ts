/**
 * The storage contract: one suite, run against every adapter (SQLite and PostgreSQL).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { RasdError } from "../../src/core/errors.js";
import type { Bank, Org } from "../../src/core/model.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import type { TestDatabase } from "../support/databases.js";
import { REPO_ROOT } from "../support/shared.js";

const PDQ_A = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
const PDQ_B = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

export function storeContract(name: string, makeDatabase: () => Promise<TestDatabase>, skip: string | false): void {
  describe(`storage contract: ${name}`, { skip }, () => {
    let database: TestDatabase;
    let store: KyselyStore;
    let org: Org;
    let bank: Bank;

    before(async () => {
      if (skip) return;
      database = await makeDatabase();
      store = await KyselyStore.open(database.url);
      org = await store.createOrg("Hedayah", "ngo");
      bank = await store.createBank({
        orgId: org.id,
        name: "isis-images",
        description: "Images",
        actionHint: "remove",
      });
    });
    after(async () => {
      if (skip) return;
      await store.close();
      await database.drop();
    });

    it("migrations are idempotent: opening again works", async () => {
      const again = await KyselyStore.open(database.url);
      assert.equal((await again.listOrgs()).length >= 1, true);
      await again.close();
    });

    it("organisations and banks, with defaults and unique names", async () => {
      assert.deepEqual((await store.getOrgByName("Hedayah"))?.kind, "ngo");
      await assert.rejects(
        store.createOrg("Hedayah", "government"),
        (e: unknown) => e instanceof RasdError && e.code === "conflict",
      );
      assert.equal(bank.pdqThreshold, 31);
      assert.equal(bank.pdqMinQuality, 50);
      assert.equal(bank.accountMinScore, 0.8);
      assert.equal(bank.negative, false);
      assert.equal(bank.actionHint, "remove");
      await assert.rejects(
        store.createBank({ orgId: org.id, name: "isis-images" }),
        (e: unknown) => e instanceof RasdError && e.code === "conflict",
      );
      const allow = await store.createBank({ orgId: org.id, name: "news-footage", negative: true, pdqThreshold: 20 });
      assert.equal(allow.negative, true);
      const updated = await store.updateBank(allow.id, { description: "News agencies' footage", pdqThreshold: 16 });
      assert.equal(updated.pdqThreshold, 16);
      assert.equal(updated.negative, true);
      assert.equal((await store.updateBank(allow.id, { accountMinScore: 0.85 })).accountMinScore, 0.85);
      assert.deepEqual(
        (await store.listBanks(org.id)).map((b) => b.name),
        ["isis-images", "news-footage"],
      );
    });

    it("signals: created, seen again (labels merged), retracted as a tombstone, reactivated", async () => {
      const [first] = await store.upsertSignals(bank.id, [
        {
          type: "pdq",
          value: PDQ_A,
          quality: 100,
          labels: { entity: ["isis"], behaviour: ["glorification"], language: [] },
          confidence: 80,
          source: "analyst",
          lastSeen: 1000,
        },
      ]);
      assert.equal(first!.outcome, "created");
      const [again] = await store.upsertSignals(bank.id, [
        {
          type: "pdq",
          value: PDQ_A,
          labels: { entity: ["isis"], behaviour: ["recruitment"], language: ["ar"] },
          lastSeen: 5000,
        },
      ]);
      assert.equal(again!.outcome, "updated");
      assert.equal(again!.signal.id, first!.signal.id);
      assert.deepEqual(again!.signal.labels, {
        entity: ["isis"],
        behaviour: ["glorification", "recruitment"],
        language: ["ar"],
      });
      assert.equal(again!.signal.lastSeen, 5000);
      assert.equal(again!.signal.firstSeen, 1000);
      assert.equal(again!.signal.quality, 100);
      assert.ok(again!.signal.changeSeq > first!.signal.changeSeq);

      const retracted = await store.retractSignal(first!.signal.id);
      assert.equal(retracted.status, "retracted");
      assert.equal((await store.getSignal(first!.signal.id))?.status, "retracted", "a tombstone, not a delete");
      const [back] = await store.upsertSignals(bank.id, [{ type: "pdq", value: PDQ_A }]);
      assert.equal(back!.outcome, "reactivated");
      assert.equal(back!.signal.status, "active");
      await assert.rejects(
        store.retractSignal(999_999),
        (e: unknown) => e instanceof RasdError && e.code === "not_found",
      );
    });

    it("the change cursor returns everything changed since N, deletions included, in order", async () => {
      const start = await store.currentCursor();
      const results = await store.upsertSignals(bank.id, [
        { type: "md5", value: "0123456789abcdef0123456789abcdef" },
        { type: "url", value: "http://justpaste.it/abc" },
        { type: "domain", value: "example.org" },
      ]);
      await store.retractSignal(results[1]!.signal.id);
      const page = await store.changesSince(start);
      assert.deepEqual(
        page.signals.map((s) => [s.value, s.status]),
        [
          ["0123456789abcdef0123456789abcdef", "active"],
          ["example.org", "active"],
          ["http://justpaste.it/abc", "retracted"],
        ],
      );
      assert.equal(page.cursor, await store.currentCursor());
      assert.deepEqual((await store.changesSince(page.cursor)).signals, []);
      // Paging with a limit walks the same sequence.
      const first = await store.changesSince(start, 2);
      const rest = await store.changesSince(first.cursor, 10);
      assert.deepEqual(
        [...first.signals, ...rest.signals].map((s) => s.id),
        page.signals.map((s) => s.id),
      );
    });

    it("the change cursor filtered by bank and bounded above: a short page ends at the bound", async () => {
      const other = await store.createBank({ orgId: org.id, name: `feed-other-${Date.now()}` });
      const start = await store.currentCursor();
      const [mine] = await store.upsertSignals(bank.id, [{ type: "domain", value: "feed-mine.example" }]);
      await store.upsertSignals(other.id, [{ type: "domain", value: "feed-other.example" }]);
      const upTo = await store.currentCursor();
      await store.upsertSignals(bank.id, [{ type: "domain", value: "feed-late.example" }]);

      const page = await store.changesSince(start, 10, { bankIds: [bank.id], upTo });
      assert.deepEqual(
        page.signals.map((s) => s.value),
        ["feed-mine.example"],
        "the other bank's change and the change after the bound are not shown",
      );
      assert.equal(page.cursor, upTo, "the page saw everything up to the bound");
      const none = await store.changesSince(start, 10, { bankIds: [], upTo });
      assert.deepEqual(none, { signals: [], cursor: upTo });
      const full = await store.changesSince(start, 1, { bankIds: [bank.id, other.id], upTo });
      assert.equal(full.cursor, mine!.signal.changeSeq, "a full page ends at its last change");

      const empty = await store.createBank({ orgId: org.id, name: `feed-deleted-${Date.now()}` });
      await store.updateBank(empty.id, { deleted: true });
      assert.ok(!(await store.listBanks()).some((b) => b.id === empty.id));
      assert.ok(
        (await store.listBanks(undefined, { includeDeleted: true })).some((b) => b.id === empty.id && b.deleted),
      );
    });

    it("opinions of many signals in one call", async () => {
      const other = await store.createOrg(`feed-org-${Date.now()}`, "platform");
      const [a, b] = await store.upsertSignals(bank.id, [
        { type: "domain", value: "opinion-a.example" },
        { type: "domain", value: "opinion-b.example" },
      ]);
      await store.setOpinion(b!.signal.id, other.id, "dispute", "not ours");
      await store.setOpinion(a!.signal.id, org.id, "confirm");
      await store.setOpinion(b!.signal.id, org.id, "confirm");
      const got = await store.listOpinionsOf([a!.signal.id, b!.signal.id, 999_999]);
      assert.deepEqual(
        got.map((o) => [o.signalId, o.orgId, o.kind]),
        [
          [a!.signal.id, org.id, "confirm"],
          [b!.signal.id, org.id, "confirm"],
          [b!.signal.id, other.id, "dispute"],
        ],
      );
      assert.deepEqual(await store.listOpinionsOf([]), []);
    });

    it("concurrent writers get distinct, increasing cursors", async () => {
      const writes = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.upsertSignals(bank.id, [{ type: "sha256", value: i.toString(16).padStart(64, "0") }]),
        ),
      );
      const seqs = writes.map((w) => w[0]!.signal.changeSeq).sort((a, b) => a - b);
      assert.equal(new Set(seqs).size, 12);
    });

    it("long values (a 20,000-character text) are stored, unique and found", async () => {
      let seed = 7;
      const letter = (): string => String.fromCharCode(0x0621 + ((seed = (seed * 1103515245 + 12345) >>> 0) % 26));
      const text = Array.from({ length: 20_000 }, letter).join("");
      const [a] = await store.upsertSignals(bank.id, [{ type: "text", value: text }]);
      const [b] = await store.upsertSignals(bank.id, [{ type: "text", value: text }]);
      assert.equal(a!.outcome, "created");
      assert.equal(b!.outcome, "updated");
      assert.equal(b!.signal.id, a!.signal.id);
      assert.equal((await store.findSignals("text", text))[0]!.value, text);
    });

    it("counts active signals by type in the banks given, and none for no banks", async () => {
      const own = await store.createBank({ orgId: bank.orgId, name: `count-${Date.now()}` });
      await store.upsertSignals(own.id, [
        { type: "md5", value: "c".repeat(32) },
        { type: "md5", value: "d".repeat(32) },
        { type: "url", value: "https://count.example/a" },
      ]);
      const [gone] = await store.upsertSignals(own.id, [{ type: "md5", value: "e".repeat(32) }]);
      await store.retractSignal(gone!.signal.id);
      assert.deepEqual(await store.countSignalsByType([own.id]), { md5: 2, url: 1 });
      assert.deepEqual(await store.countSignalsByType([]), {});
    });

    it("a batch is one transaction: a failure lands nothing", async () => {
      const before = await store.countSignals(bank.id);
      const good = Array.from({ length: 450 }, (_, i) => ({
        type: "md5" as const,
        value: i.toString(16).padStart(32, "a"),
      }));
      const bad = { type: "md5" as const, value: null as unknown as string };
      await assert.rejects(store.upsertSignals(bank.id, [...good, bad]));
      assert.equal(await store.countSignals(bank.id), before);
    });

    it("opinions: one per organisation per signal, updatable, and a change to the signal", async () => {
      const other = await store.createOrg("Platform X", "platform");
      const [r] = await store.upsertSignals(bank.id, [{ type: "pdq", value: PDQ_B }]);
      const seq = r!.signal.changeSeq;
      await store.setOpinion(r!.signal.id, other.id, "confirm");
      await store.setOpinion(r!.signal.id, org.id, "saw-it-too", "seen on three platforms");
      await store.setOpinion(r!.signal.id, other.id, "false-positive", "news footage");
      const opinions = await store.listOpinions(r!.signal.id);
      assert.deepEqual(
        opinions.map((o) => [o.orgId, o.kind]),
        [
          [other.id, "false-positive"],
          [org.id, "saw-it-too"],
        ],
      );
      assert.ok((await store.getSignal(r!.signal.id))!.changeSeq > seq);
    });

    it("active signal pages skip tombstones", async () => {
      const seen: number[] = [];
      for await (const page of store.activeSignalPages(2)) for (const s of page) seen.push(s.id);
      const all = await store.listSignals(bank.id, { includeRetracted: true, limit: 10_000 });
      const allBanks = (await store.listBanks()).map((b) => b.id);
      let expected = 0;
      for (const id of allBanks) expected += await store.countSignals(id);
      assert.equal(seen.length, expected);
      assert.ok(all.some((s) => s.status === "retracted" && !seen.includes(s.id)));
    });

    it("index pages give the active signals' id, bank, type and value, as the full pages do", async () => {
      const full: string[] = [];
      for await (const page of store.activeSignalPages(3))
        for (const s of page) full.push(`${s.id} ${s.bankId} ${s.type} ${s.value}`);
      const lean: string[] = [];
      for await (const page of store.activeIndexPages(2))
        for (const s of page) {
          assert.equal(s.status, "active");
          lean.push(`${s.id} ${s.bankId} ${s.type} ${s.value}`);
        }
      assert.ok(lean.length > 0);
      assert.deepEqual(lean, full);
    });

    it("a write acknowledged before the process is killed is still there", async () => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "test/support/ack-writer.ts", database.url, String(bank.id)],
        {
          cwd: REPO_ROOT,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const acked: string[] = [];
      await new Promise<void>((resolve) => {
        let buffer = "";
        child.stdout.on("data", (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split("\n");
          buffer = lines.pop()!;
          for (const line of lines) if (line.startsWith("ack ")) acked.push(line.slice(4));
          if (acked.length >= 25) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        child.on("exit", () => resolve());
      });
      assert.ok(acked.length >= 25, `child acknowledged ${acked.length} writes`);
      for (const value of acked) assert.equal((await store.findSignals("md5", value)).length, 1, value);
    });
  });
}
