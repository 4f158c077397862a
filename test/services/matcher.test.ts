/**
 * The matching engine over a real store: per-bank thresholds and quality gates, negative
 * banks, exact, URL, domain and text matching, and live updates without a rebuild.
 */

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { Bank, Org } from "../../src/core/model.js";
import { hexToWords, wordsToHex } from "../../src/kernels/pdq-index/words.js";
import { BankService } from "../../src/services/banks.js";
import { Matcher } from "../../src/services/matcher.js";
import { KyselyStore } from "../../src/storage/kysely-store.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";

const BRIDGE = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";

/** The hash with its lowest `n` bits flipped. */
function flip(hex: string, n: number): string {
  const w = hexToWords(hex);
  for (let b = 0; b < n; b++) w[b >> 5] = (w[b >> 5]! ^ (1 << (b & 31))) >>> 0;
  return wordsToHex(w);
}

describe("matcher", () => {
  let database: TestDatabase;
  let store: KyselyStore;
  let matcher: Matcher;
  let service: BankService;
  let org: Org;
  let strict: Bank;
  let loose: Bank;
  let allow: Bank;

  before(async () => {
    database = sqliteDatabase();
    store = await KyselyStore.open(database.url);
    matcher = new Matcher(store, { pollMs: 0 });
    await matcher.load();
    service = new BankService(store, matcher);
    org = await service.createOrg("Coalition Cell", "government");
    strict = await service.createBank({ orgId: org.id, name: "strict", pdqThreshold: 10, pdqMinQuality: 80 });
    loose = await service.createBank({ orgId: org.id, name: "loose" });
    allow = await service.createBank({ orgId: org.id, name: "news-allow", negative: true, pdqThreshold: 5 });
  });
  after(async () => {
    matcher.stop();
    await store.close();
    await database.drop();
  });

  it("a signal added through the service matches at once; a retracted one stops", async () => {
    const report = await service.addSignals(loose.id, [
      { line: 1, raw: { type: "pdq", value: BRIDGE, entity: "isis" } },
    ]);
    assert.equal(report.created, 1);
    const found = matcher.matchPdq([{ hash: flip(BRIDGE, 20), quality: 100 }]);
    assert.deepEqual(
      found.matches.map((m) => [m.bankId, m.distance]),
      [[loose.id, 20]],
    );
    const [signal] = await store.findSignals("pdq", BRIDGE);
    await service.retract(signal!.id);
    assert.deepEqual(matcher.matchPdq([{ hash: BRIDGE, quality: 100 }]).matches, []);
    await service.addSignals(loose.id, [{ line: 1, raw: { type: "pdq", value: BRIDGE } }]);
    assert.equal(matcher.matchPdq([{ hash: BRIDGE, quality: 100 }]).matches.length, 1);
  });

  it("per-bank distance thresholds and quality gates", async () => {
    const h = flip(BRIDGE, 0).replace(/^f/, "0");
    await service.addSignals(strict.id, [{ line: 1, raw: { type: "pdq", value: h } }]);
    const near = flip(h, 8);
    const far = flip(h, 14);
    assert.deepEqual(
      matcher.matchPdq([{ hash: near, quality: 100 }]).matches.filter((m) => m.bankId === strict.id).length,
      1,
    );
    assert.deepEqual(
      matcher.matchPdq([{ hash: far, quality: 100 }]).matches.filter((m) => m.bankId === strict.id).length,
      0,
    );
    assert.deepEqual(
      matcher.matchPdq([{ hash: near, quality: 60 }]).matches.filter((m) => m.bankId === strict.id).length,
      0,
      "quality gate 80",
    );
  });

  it("a negative bank's match suppresses the others", async () => {
    const h = "0123456789abcdef".repeat(4);
    await service.addSignals(loose.id, [{ line: 1, raw: { type: "pdq", value: h } }]);
    const before = matcher.matchPdq([{ hash: flip(h, 3), quality: 100 }]);
    assert.deepEqual(before.suppressedBy, []);
    await service.addSignals(allow.id, [{ line: 1, raw: { type: "pdq", value: h } }]);
    const result = matcher.matchPdq([{ hash: flip(h, 3), quality: 100 }]);
    assert.deepEqual(result.suppressedBy, [allow.id]);
    assert.ok(result.matches.some((m) => m.bankId === loose.id && m.suppressed));
    // Beyond the allow-list's own threshold (5), it no longer suppresses.
    assert.deepEqual(matcher.matchPdq([{ hash: flip(h, 9), quality: 100 }]).suppressedBy, []);
  });

  it("MD5 and SHA-256 exactly, case-insensitive", async () => {
    await service.addSignals(loose.id, [{ line: 1, raw: { type: "md5", value: "D41D8CD98F00B204E9800998ECF8427E" } }]);
    assert.equal(matcher.matchExact("md5", "d41d8cd98f00b204e9800998ecf8427e").matches.length, 1);
    assert.equal(matcher.matchExact("md5", "d41d8cd98f00b204e9800998ecf8427f").matches.length, 0);
  });

  it("URLs match after canonicalisation; domains match the host and subdomains", async () => {
    await service.addSignals(loose.id, [
      { line: 1, raw: { type: "url", value: "https://justpaste.it/MessageToTheTruthful" } },
      { line: 2, raw: { type: "domain", value: "sendspace.com" } },
    ]);
    for (const variant of [
      "hxxps://justpaste[.]it/MessageToTheTruthful",
      "HTTP://WWW.JUSTPASTE.IT:80/MessageToTheTruthful/?utm_source=twitter&fbclid=abc#top",
      "justpaste(dot)it/MessageToTheTruthful",
    ]) {
      assert.equal(matcher.matchUrl(variant).matches.filter((m) => m.type === "url").length, 1, variant);
    }
    assert.equal(matcher.matchUrl("https://justpaste.it/other").matches.length, 0);
    assert.equal(matcher.matchUrl("https://www.sendspace.com/file/x").matches.length, 1);
    assert.equal(matcher.matchUrl("http://fs01.sendspace.com/x").matches.length, 1);
    assert.equal(matcher.matchUrl("http://notsendspace.com/x").matches.length, 0);
  });

  it("python-threatexchange's url_md5 signals match the URL they hash, however it is spelt", async () => {
    // The MD5s python-threatexchange's own UrlMD5Signal.hash_from_str gives (run from its source):
    // its sample signal, and a link shared as "https://Example.org/AMAQ/release-42".
    await service.addSignals(loose.id, [
      { line: 1, raw: { type: "url_md5", value: "95C3A3934D38B06959D4F6D5BFE48A79" } },
      { line: 2, raw: { type: "url_md5", value: "d64e8ccd2c7849a58c4ee7d139d0d9f8" } },
    ]);
    const md5s = (url: string) => matcher.matchUrl(url).matches.filter((m) => m.type === "url_md5");
    assert.equal(md5s("https://developers.facebook.com/docs/threat-exchange/reference/apis/").length, 1);
    for (const variant of [
      "https://example.org/amaq/release-42",
      "hxxp://www.example[.]org/AMAQ/release-42/",
      "HTTPS://EXAMPLE.ORG/amaq/release-42?utm_source=x",
    ])
      assert.deepEqual(
        md5s(variant).map((m) => m.matched),
        ["d64e8ccd2c7849a58c4ee7d139d0d9f8"],
        variant,
      );
    assert.equal(md5s("https://example.org/amaq/release-43").length, 0);
    // Looked up by its own value, as POST /v1/match does.
    assert.equal(matcher.matchExact("url_md5", "d64e8ccd2c7849a58c4ee7d139d0d9f8").matches.length, 1);
  });

  it("texts match near-copies, and links inside texts match URL signals", async () => {
    await service.addSignals(loose.id, [
      {
        line: 1,
        raw: { type: "text", value: "جنود الخلافة يتقدمون نحو المدينة عند الفجر وسيفتحونها قريبا بإذن الله" },
      },
    ]);
    const evaded = "RT @x: جُنُودُ الخِلافة يتقــدمون نحو المدينة عند الفجر وسيفتحونها قريبا بإذن الله #عاجل";
    const result = matcher.matchText(evaded);
    assert.equal(result.matches.filter((m) => m.type === "text").length, 1);
    const withLink = matcher.matchText("شاهد الإصدار hxxps://justpaste[.]it/MessageToTheTruthful، وانشر");
    assert.ok(
      withLink.matches.some((m) => m.type === "url"),
      JSON.stringify(withLink),
    );
  });

  it("changes written by another process are picked up by sync, without a rebuild", async () => {
    const other = await KyselyStore.open(database.url);
    const [r] = await other.upsertSignals(loose.id, [{ type: "sha256", value: "ab".repeat(32) }]);
    assert.equal(matcher.matchExact("sha256", "ab".repeat(32)).matches.length, 0);
    await matcher.sync();
    assert.equal(matcher.matchExact("sha256", "ab".repeat(32)).matches.length, 1);
    await other.retractSignal(r!.signal.id);
    await matcher.sync();
    assert.equal(matcher.matchExact("sha256", "ab".repeat(32)).matches.length, 0);
    await other.close();
  });

  it("with polling, another process's new signal matches within a second", async () => {
    const live = new Matcher(store, { pollMs: 50 });
    await live.start();
    const other = await KyselyStore.open(database.url);
    const value = "cd".repeat(32);
    const started = Date.now();
    await other.upsertSignals(loose.id, [{ type: "sha256", value }]);
    while (live.matchExact("sha256", value).matches.length === 0) {
      assert.ok(Date.now() - started < 1000, "not visible within 1 s");
      await new Promise((r) => setTimeout(r, 5));
    }
    live.stop();
    await other.close();
  });

  it("a value that is not valid UTF-8 is refused with its line number", async () => {
    const bytes = Buffer.concat([
      Buffer.from("type,value\ntext,"),
      Buffer.from([0xd8, 0xac, 0xd9, 0x86, 0xff, 0xfe, 0xd9]), // Arabic letters, then invalid bytes
      Buffer.from(" جنود الخلافة\ndomain,example.net\n"),
    ]);
    const report = await service.importFile(loose.id, Readable.from([bytes]), "csv");
    assert.equal(report.created, 1);
    assert.deepEqual(report.rejected, [
      { line: 2, message: "value: not valid UTF-8 (the file has bytes that do not decode)" },
    ]);
  });

  it("imports report bad rows by line number and land the good ones", async () => {
    const csv = [
      "type,value,entity,behaviour,language,confidence",
      `pdq,${"1".repeat(64)},isis,recruitment,ar,90`,
      "pdq,xyz,isis,,,",
      'url,"hxxp://archive[.]org/details/a,b",isis,,,',
      "md5,0123,isis,,,",
      'text,"طويلة بما يكفي لتكون إشارة نصية مفيدة في بنك الإشارات المشتركة",isis,glorification,ar,101',
      "domain,archive.org,isis,,en,70",
    ].join("\n");
    const report = await service.importFile(loose.id, Readable.from([csv]), "csv");
    assert.equal(report.created, 3);
    assert.deepEqual(
      report.rejected.map((r) => r.line),
      [3, 5, 6],
    );
    assert.match(report.rejected[0]!.message, /not a PDQ hash/);
    assert.match(report.rejected[2]!.message, /confidence: expected an integer 0..100/);
  });
});
