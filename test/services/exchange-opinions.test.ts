/**
 * Opinions across systems (issue 17, decision 0042): two rasd services in one test, each on its
 * own SQLite database, the first listening on loopback. The `rasd` exchange brings A's members'
 * opinions to B (as opinions from elsewhere), an opinion B's member gives of a mirrored signal
 * goes back to A as that member's (the link's key is its identity there), and retractions of
 * either propagate. A's TAXII collection carries them as STIX Opinions, which the `taxii`
 * exchange reads. Files (JSON lines, CSV, STIX bundles) keep them on export → import. Only
 * curators write opinions; RASD_OPINION_ORGS=anonymous keeps organisations out.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import type { AddressInfo } from "node:net";
import { json, startTestService, type TestService } from "../support/service.js";
import { opinionRecordsOf } from "../../src/services/opinion-records.js";
import { csvHeader, formatSignal, stixBundleOf } from "../../src/services/signal-files.js";

const MD5_1 = "0123456789abcdef0123456789abcdef";
const MD5_2 = "fedcba9876543210fedcba9876543210";

async function listen(t: TestService): Promise<string> {
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/`;
}

type Fetched = { report: { added: number; opinions: number; skipped: number; error: string | null } };
type Opinions = {
  opinions: { org_name: string; kind: string; note: string }[];
  foreign_opinions: { from: string; org_name: string | null; kind: string; note: string }[];
};

describe("opinions between two rasd services", () => {
  let a: TestService;
  let b: TestService;
  let aUrl: string;
  let green: number;
  let atA1: number;
  let atB1: number;

  before(async () => {
    a = await startTestService({ workers: false });
    b = await startTestService({ workers: false, env: { RASD_EXCHANGE_ALLOW_PRIVATE: "1" } });
    aUrl = await listen(a);
    green = (await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "shared", tlp: "GREEN" })).id;
    await a.s.banks.addSignals(green, [
      { line: 1, raw: { type: "md5", value: MD5_1, entity: "isis" } },
      { line: 2, raw: { type: "md5", value: MD5_2 } },
    ]);
    atA1 = (await a.s.store.findSignals("md5", MD5_1))[0]!.id;
  });

  after(async () => {
    await b?.close();
    await a?.close();
  });

  const opinionsAt = async (t: TestService, key: string, id: number) =>
    json<Opinions>(await t.call(key, { method: "GET", url: `/v1/signals/${id}/opinions` }));

  test("the change feed carries A's opinions; B keeps them as opinions from elsewhere", async () => {
    const given = await a.call(a.keys.c.curator, {
      method: "POST",
      url: `/v1/signals/${atA1}/opinions`,
      payload: { kind: "confirm", note: "seen on three platforms" },
    });
    assert.equal(given.statusCode, 200, given.body);
    const created = await b.call(b.keys.a.curator, {
      method: "POST",
      url: "/c/exchanges",
      // B's platform speaks at A with a curator key of A's organisation b.
      payload: {
        bank: "FROM_A",
        api: "rasd",
        api_json: { url: aUrl },
        credential_json: { api_key: a.keys.b.curator },
        tlp: "GREEN",
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const f = json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: "/c/exchange/FROM_A/fetch" }));
    assert.equal(f.report.error, null);
    assert.equal(f.report.opinions, 1);
    atB1 = (await b.s.store.findSignals("md5", MD5_1))[0]!.id;
    const seen = await opinionsAt(b, b.keys.a.reader, atB1);
    assert.deepEqual(seen.opinions, [], "no organisation of B gave it");
    assert.deepEqual(
      seen.foreign_opinions.map((o) => [o.from, o.org_name, o.kind, o.note]),
      [["exchange FROM_A", a.orgs.c.name, "confirm", "seen on three platforms"]],
    );
  });

  test("B's false-positive goes back to A as its member's; its echo is not kept twice at B", async () => {
    const r = await b.call(b.keys.a.curator, {
      method: "POST",
      url: `/v1/signals/${atB1}/opinions`,
      payload: { kind: "false-positive", note: "a news report" },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json<{ relayed: unknown }>(r).relayed, { exchange: "FROM_A", ok: true });
    // The bank's owner at A sees it, as the opinion of the member the key belongs to.
    const atA = await opinionsAt(a, a.keys.a.reader, atA1);
    assert.deepEqual(
      atA.opinions.map((o) => [o.org_name, o.kind, o.note]).sort(),
      [
        [a.orgs.b.name, "false-positive", "a news report"],
        [a.orgs.c.name, "confirm", "seen on three platforms"],
      ].sort(),
    );
    const f = json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: "/c/exchange/FROM_A/fetch" }));
    assert.equal(f.report.error, null);
    const atB = await opinionsAt(b, b.keys.a.reader, atB1);
    assert.deepEqual(
      atB.opinions.map((o) => o.kind),
      ["false-positive"],
    );
    assert.deepEqual(
      atB.foreign_opinions.map((o) => o.kind),
      ["confirm"],
      "B's own opinion does not come back as foreign",
    );
    // Another member of B who sees the mirror does not speak with the link's key.
    const other = await b.call(b.keys.b.curator, {
      method: "POST",
      url: `/v1/signals/${atB1}/opinions`,
      payload: { kind: "dispute" },
    });
    assert.equal(other.statusCode, 200, other.body);
    assert.equal(json<{ relayed?: unknown }>(other).relayed, undefined);
    assert.equal((await a.s.store.listOpinions(atA1)).length, 2);
  });

  test("retractions propagate both ways", async () => {
    const taken = await a.call(a.keys.c.curator, { method: "DELETE", url: `/v1/signals/${atA1}/opinions` });
    assert.equal(taken.statusCode, 200, taken.body);
    const f = json<Fetched>(await b.call(b.keys.a.curator, { method: "POST", url: "/c/exchange/FROM_A/fetch" }));
    assert.equal(f.report.error, null);
    assert.deepEqual((await opinionsAt(b, b.keys.a.reader, atB1)).foreign_opinions, [], "A's retraction reached B");
    const back = await b.call(b.keys.a.curator, { method: "DELETE", url: `/v1/signals/${atB1}/opinions` });
    assert.equal(back.statusCode, 200, back.body);
    assert.deepEqual(json<{ relayed: unknown }>(back).relayed, { exchange: "FROM_A", ok: true });
    assert.deepEqual(await a.s.store.listOpinions(atA1), [], "B's retraction reached A");
    const tombs = await a.s.store.listOpinions(atA1, { includeRetracted: true });
    assert.equal(tombs.length, 2);
    assert.ok(tombs.every((o) => o.retractedAt !== undefined));
    // Nothing left to take back: 404 with why.
    const again = await b.call(b.keys.a.curator, { method: "DELETE", url: `/v1/signals/${atB1}/opinions` });
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /no opinion of it to retract/);
  });

  test("authorisation: readers may not give or take back opinions; an unseen signal is 404", async () => {
    const reader = await a.call(a.keys.a.reader, {
      method: "POST",
      url: `/v1/signals/${atA1}/opinions`,
      payload: { kind: "confirm" },
    });
    assert.equal(reader.statusCode, 403);
    assert.equal(
      (await a.call(a.keys.a.reader, { method: "DELETE", url: `/v1/signals/${atA1}/opinions` })).statusCode,
      403,
    );
    const strict = (await a.s.banks.createBank({ orgId: a.orgs.a.id, name: "strict", tlp: "AMBER+STRICT" })).id;
    await a.s.banks.addSignals(strict, [{ line: 1, raw: { type: "md5", value: "a".repeat(32) } }]);
    const hidden = (await a.s.store.findSignals("md5", "a".repeat(32)))[0]!.id;
    await a.s.banks.opinion(hidden, a.orgs.a.id, "confirm", "");
    assert.equal(
      (await a.call(a.keys.b.curator, { method: "DELETE", url: `/v1/signals/${hidden}/opinions` })).statusCode,
      404,
    );
    assert.equal(
      (await a.call(a.keys.b.curator, { method: "GET", url: `/v1/signals/${hidden}/opinions` })).statusCode,
      404,
    );
    const feed = json<{ changes: { signal: { id: number } }[] }>(
      await a.call(a.keys.b.reader, { method: "GET", url: "/v1/changes" }),
    );
    assert.ok(!feed.changes.some((c) => c.signal.id === hidden), "an opinion goes only where its signal may go");
    const bad = await a.call(a.keys.a.curator, {
      method: "POST",
      url: `/v1/signals/${atA1}/opinions`,
      payload: { kind: "maybe" },
    });
    assert.equal(bad.statusCode, 400);
  });

  test("TAXII: A's collection carries Opinions after their Indicator; B's taxii exchange keeps them", async () => {
    await a.s.banks.opinion(atA1, a.orgs.c.id, "dispute", "satire");
    const collections = await a.call(a.keys.b.reader, {
      method: "GET",
      url: "/taxii2/api/collections/",
      headers: { accept: "application/taxii+json;version=2.1" },
    });
    const found = json<{ collections: { id: string; title: string }[] }>(collections).collections.find((c) =>
      c.title.endsWith("/shared"),
    )!;
    const objects = json<{ objects: Record<string, unknown>[] }>(
      await a.call(a.keys.b.reader, {
        method: "GET",
        url: `/taxii2/api/collections/${found.id}/objects/?match[type]=opinion`,
        headers: { accept: "application/taxii+json;version=2.1" },
      }),
    ).objects;
    // Standing and retracted ones (revoked), each an Opinion of the Indicator, TLP:GREEN.
    assert.equal(objects.length, 2);
    for (const o of objects) {
      assert.equal(o.type, "opinion");
      assert.equal(o.spec_version, "2.1");
      assert.match(String(o.id), /^opinion--[0-9a-f-]{36}$/);
      assert.match(String((o.object_refs as string[])[0]), /^indicator--/);
      assert.ok(["strongly-agree", "agree", "disagree", "strongly-disagree"].includes(String(o.opinion)));
      assert.equal((o.object_marking_refs as string[]).length, 1);
    }
    assert.deepEqual(
      objects.map((o) => [o.opinion, o.revoked ?? false, o.authors]).sort(),
      [
        ["disagree", false, [a.orgs.c.name]],
        ["strongly-disagree", true, [a.orgs.b.name]],
      ].sort(),
    );
    const r = await b.call(b.keys.b.curator, {
      method: "POST",
      url: "/c/exchanges",
      payload: {
        bank: "TAXII_A",
        api: "taxii",
        api_json: { collection_url: `${aUrl}taxii2/api/collections/${found.id}/` },
        credential_json: { api_key: a.keys.b.reader },
        tlp: "GREEN",
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const f = json<Fetched>(await b.call(b.keys.b.curator, { method: "POST", url: "/c/exchange/TAXII_A/fetch" }));
    assert.equal(f.report.error, null);
    const bank = (await b.s.store.listBanks(b.orgs.b.id)).find((x) => x.name === "TAXII_A")!;
    const held = (await b.s.store.listSignals(bank.id, { limit: 10 })).find((s) => s.value === MD5_1)!;
    const foreign = await b.s.store.listForeignOpinionsOf([held.id]);
    assert.deepEqual(
      foreign.map((o) => [o.source, o.orgName, o.kind, o.note]),
      [["exchange TAXII_A", a.orgs.c.name, "dispute", "satire"]],
    );
  });

  for (const format of ["jsonl", "csv", "stix"] as const)
    test(`files: ${format} export → import keeps opinions (retracted ones too) as opinions from elsewhere`, async () => {
      const signals = await a.s.store.listSignals(green, { limit: 10, includeRetracted: true });
      const opinions = await opinionRecordsOf(a.s.store, signals, {
        named: true,
        includeRetracted: true,
        includeForeign: true,
      });
      const org = (await a.s.store.getOrg(a.orgs.a.id))!;
      const bankA = (await a.s.store.getBank(green))!;
      const text =
        format === "stix"
          ? stixBundleOf(signals, bankA, org, opinions)
          : csvHeader(format) + signals.map((s) => formatSignal(s, format, "", opinions.get(s.id))).join("");
      const into = (await b.s.banks.createBank({ orgId: b.orgs.c.id, name: `copy-${format}`, tlp: "GREEN" })).id;
      const report = await b.s.banks.importFile(into, Readable.from([text]), format);
      assert.deepEqual(report.rejected, []);
      const copy = (await b.s.store.findSignals("md5", MD5_1)).find((s) => s.bankId === into)!;
      const kept = await b.s.store.listForeignOpinionsOf([copy.id]);
      // The standing one comes as it was; retracted ones are tombstones: nothing to keep.
      assert.deepEqual(
        kept.map((o) => [o.source, o.orgName, o.kind, o.note]),
        [["import", a.orgs.c.name, "dispute", "satire"]],
      );
      const original = opinions.get(atA1)!.find((o) => !o.retracted)!;
      assert.equal(kept[0]!.updatedAt, original.updatedAt);
      // Imported again after A took it back: the retraction is applied.
      const standing = (await a.s.store.listOpinions(atA1))[0]!;
      const retracted = new Map([[atA1, [{ ...original, retracted: true, updatedAt: standing.updatedAt + 1 }]]]);
      const text2 =
        format === "stix"
          ? stixBundleOf(signals, bankA, org, retracted)
          : csvHeader(format) + signals.map((s) => formatSignal(s, format, "", retracted.get(s.id))).join("");
      await b.s.banks.importFile(into, Readable.from([text2]), format);
      assert.deepEqual(await b.s.store.listForeignOpinionsOf([copy.id]), []);
    });

  test("files: a bad opinion is refused by its field path; the signal still lands", async () => {
    const into = (await b.s.banks.createBank({ orgId: b.orgs.c.id, name: "bad-opinions", tlp: "GREEN" })).id;
    const line = JSON.stringify({ type: "md5", value: MD5_2, opinions: [{ kind: "maybe" }] });
    const report = await b.s.banks.importFile(into, Readable.from([`${line}\n`]), "jsonl");
    assert.equal(report.created, 1);
    assert.deepEqual(report.rejected, [
      { line: 1, message: "opinions[0].kind: must be one of confirm, dispute, false-positive, saw-it-too" },
    ]);
  });

  test("RASD_OPINION_ORGS=anonymous: the feed and TAXII name no organisation", async () => {
    const anon = await startTestService({ workers: false, env: { RASD_OPINION_ORGS: "anonymous" } });
    try {
      const bank = (await anon.s.banks.createBank({ orgId: anon.orgs.a.id, name: "g", tlp: "GREEN" })).id;
      await anon.s.banks.addSignals(bank, [{ line: 1, raw: { type: "md5", value: MD5_1 } }]);
      const id = (await anon.s.store.findSignals("md5", MD5_1))[0]!.id;
      await anon.s.banks.opinion(id, anon.orgs.c.id, "false-positive", "");
      const feed = json<{ changes: { opinions: { id: number; org_id: number | null; org_name: string | null }[] }[] }>(
        await anon.call(anon.keys.b.reader, { method: "GET", url: "/v1/changes" }),
      );
      const [o] = feed.changes[0]!.opinions;
      assert.equal(o!.org_id, null);
      assert.equal(o!.org_name, null);
      assert.ok(o!.id > 0);
      const records = await opinionRecordsOf(anon.s.store, await anon.s.store.getSignals([id]), {
        named: anon.s.config.opinionOrgs === "named",
        includeRetracted: true,
        includeForeign: false,
      });
      assert.equal(records.get(id)![0]!.orgName, null);
      assert.ok(!JSON.stringify(records.get(id)).includes(anon.orgs.c.name));
    } finally {
      await anon.close();
    }
  });
});
