/**
 * The HMA-compatible API (/h, /m, /c) with the request and response shapes of Meta's HMA
 * (OpenMediaMatch) tests and docs, on rasd's keys, roles and TLP sharing: banks, signals,
 * content by upload and by URL, lookups, comparisons, the index status, and what another
 * organisation can and cannot see or change.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import sharp from "sharp";
import type { Signal } from "../../src/core/model.js";
import { hmaVpdqJson, pythonFloat3, pythonSeededRandom } from "../../src/http/routes/hma.js";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { vpdqHashVideoFile } from "../../src/signals/vpdq/hash-video.js";
import { needsFfmpeg } from "../support/ffmpeg.js";
import { detailedPng } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

// The two hashes of HMA's compare test: 9 bits apart.
const PDQ_A = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318";
const PDQ_B = "facd8bcb2a49bcebdec1985228d5ae84bcd006c187c598c720c2b087b3fdb318";
const PDQ_OTHER = "f".repeat(64);

/** A flat grey picture: PDQ quality 0, which HMA hashes to "". */
function flatPng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png()
    .toBuffer();
}

interface Part {
  readonly field: string;
  readonly bytes?: Buffer;
  readonly value?: string;
}

/** A multipart/form-data body: file parts (bytes) and plain fields (value). */
function multipart(...parts: Part[]) {
  const boundary = "----rasdhma" + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (p.bytes) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${p.field}"; filename="upload.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`,
        ),
        p.bytes,
        Buffer.from("\r\n"),
      );
    } else {
      chunks.push(
        Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${p.field}"\r\n\r\n${p.value}\r\n`),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

/** A local web server for the ?url= routes. */
async function startMediaServer(files: Record<string, { type: string; body: Buffer }>): Promise<{
  server: Server;
  url: (path: string) => string;
}> {
  const server = createServer((req, res) => {
    if (req.url === "/huge.png") {
      // Declares more than HMA's 100 MiB limit; refused from the header alone.
      res.writeHead(200, { "content-type": "image/png", "content-length": String(200 * 1024 * 1024) });
      res.end();
      return;
    }
    const file = files[req.url ?? ""];
    if (!file) {
      res.writeHead(404).end("not here");
      return;
    }
    res.writeHead(200, { "content-type": file.type }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, url: (path) => `http://127.0.0.1:${port}${path}` };
}

/** HMA answers through Flask's jsonify, which sorts keys: clients may compare bodies as text. */
function assertSortedKeys(value: unknown, path = "$"): void {
  if (Array.isArray(value)) value.forEach((v, i) => assertSortedKeys(v, `${path}[${i}]`));
  else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    assert.deepEqual(keys, [...keys].sort(), `${path}: keys not in jsonify's sorted order`);
    for (const k of keys) assertSortedKeys((value as Record<string, unknown>)[k], `${path}.${k}`);
  }
}

/** The one signal of a piece of HMA content. */
async function signalOf(t: TestService, contentId: number): Promise<Signal | undefined> {
  const content = await t.s.hmaContents.get(contentId);
  assert.equal(content?.signalIds.length, 1, `content ${contentId} should hold one signal`);
  return t.s.store.getSignal(content.signalIds[0]!);
}

function message(r: LightMyRequestResponse): string {
  const body = json<{ message?: unknown }>(r);
  assert.equal(typeof body.message, "string", `HMA error shape expected, got ${r.body}`);
  assert.deepEqual(Object.keys(body), ["message"]);
  return body.message as string;
}

describe("Python compatibility helpers", () => {
  test("the coin flip is Python's random.Random(seed).random()", () => {
    // Values printed by CPython 3: random.Random(s).random().
    assert.equal(pythonSeededRandom("42"), 0.473659421919327);
    assert.equal(pythonSeededRandom(""), 0.9602256525641875);
    assert.equal(pythonSeededRandom("abc"), 0.7720246314157545);
    assert.equal(pythonSeededRandom("ünïcödé"), 0.3965803301822748);
  });

  test('vPDQ timestamps are formatted as Python\'s f"{ts:.3}"', () => {
    assert.deepEqual([0, 1, 12, 12.34, 99.96, 100, 123, 0.5, 0.00001, 1 / 3].map(pythonFloat3), [
      "0.0",
      "1.0",
      "12.0",
      "12.3",
      "1e+02",
      "1e+02",
      "1.23e+02",
      "0.5",
      "1e-05",
      "0.333",
    ]);
    assert.equal(
      hmaVpdqJson([{ frameNumber: 0, quality: 100, hash: PDQ_A, timestamp: 0 }]),
      JSON.stringify([`${PDQ_A},100,0.0`]),
    );
  });
});

describe("HMA API: curation, matching, hashing", () => {
  let t: TestService;
  let signalId: number;
  let photo: Buffer;
  let photoHash: string;
  let photoContentId: number;

  const a = () => t.keys.a.curator;
  const b = () => t.keys.b.curator;
  const get = (key: string, url: string) => t.call(key, { method: "GET", url });
  const send = (key: string, method: "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    t.call(key, { method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const upload = (key: string, url: string, ...parts: Part[]) =>
    t.call(key, { method: "POST", url, ...multipart(...parts) });

  before(async () => {
    t = await startTestService();
    photo = await detailedPng(11);
    photoHash = (await pdqHashImageBytes(photo)).hash;
  });
  after(async () => {
    await t.close();
  });

  test("POST /c/banks creates a bank: 201 with HMA's bank object, AMBER+STRICT in the caller's organisation", async () => {
    const r = await send(a(), "POST", "/c/banks", { name: "TEST_BANK" });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual(json(r), { matching_enabled_ratio: 1, name: "TEST_BANK" });
    const bank = await t.s.store.getBankByName(t.orgs.a.id, "TEST_BANK");
    assert.equal(bank?.tlp, "AMBER+STRICT");

    const second = await send(a(), "POST", "/c/banks", { name: "MY_TEST_BANK_01", enabled_ratio: 0.5 });
    assert.equal(second.statusCode, 201, second.body);
    assert.deepEqual(json(second), { matching_enabled_ratio: 0.5, name: "MY_TEST_BANK_01" });

    const audit = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(audit.some((e) => e.action === "bank.create" && e.target === `bank:${bank!.id}`));
  });

  test("POST /c/banks refuses names that are not UPPER_WITH_UNDERSCORE, duplicates and missing names", async () => {
    for (const name of ["01_TEST_BANK", "my_test_bank", "TEST-BANK"]) {
      const r = await send(a(), "POST", "/c/banks", { name });
      assert.equal(r.statusCode, 400, name);
      assert.equal(message(r), "Bank names must be UPPER_WITH_UNDERSCORE");
    }
    const dup = await send(a(), "POST", "/c/banks", { name: "TEST_BANK" });
    assert.equal(dup.statusCode, 403);
    assert.equal(message(dup), "Bank already exists");
    const missing = await send(a(), "POST", "/c/banks", { enabled_ratio: 1 });
    assert.equal(missing.statusCode, 422);
    assert.match(message(missing), /name/);
  });

  test("a reader may not create banks (403), and a request without a key is 401, both as {message}", async () => {
    const r = await send(t.keys.a.reader, "POST", "/c/banks", { name: "READER_BANK" });
    assert.equal(r.statusCode, 403);
    assert.match(message(r), /reader/);
    const anon = await t.call(undefined, { method: "GET", url: "/c/banks" });
    assert.equal(anon.statusCode, 401);
    message(anon);
  });

  test("GET /c/banks lists the caller's banks; PUT /c/bank/<name> renames and disables", async () => {
    assert.deepEqual(json(await get(a(), "/c/banks")), [
      { matching_enabled_ratio: 1, name: "TEST_BANK" },
      { matching_enabled_ratio: 0.5, name: "MY_TEST_BANK_01" },
    ]);
    const r = await send(a(), "PUT", "/c/bank/MY_TEST_BANK_01", { name: "MY_TEST_BANK_RENAMED", enabled: false });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json(r), { matching_enabled_ratio: 0, name: "MY_TEST_BANK_RENAMED" });
    const old = await get(a(), "/c/bank/MY_TEST_BANK_01");
    assert.equal(old.statusCode, 404);
    assert.equal(message(old), "bank 'MY_TEST_BANK_01' not found");
    const ratio = await send(a(), "PUT", "/c/bank/MY_TEST_BANK_RENAMED", { enabled_ratio: 0.5 });
    assert.deepEqual(json(ratio), { matching_enabled_ratio: 0.5, name: "MY_TEST_BANK_RENAMED" });
    assert.deepEqual(json(await get(a(), "/c/bank/MY_TEST_BANK_RENAMED")), {
      matching_enabled_ratio: 0.5,
      name: "MY_TEST_BANK_RENAMED",
    });
    const taken = await send(a(), "PUT", "/c/bank/MY_TEST_BANK_RENAMED", { name: "TEST_BANK" });
    assert.equal(taken.statusCode, 403);
    assert.equal(message(taken), "Bank name already exists");
    const badName = await send(a(), "PUT", "/c/bank/MY_TEST_BANK_RENAMED", { name: "lower" });
    assert.equal(badName.statusCode, 400);
    const missing = await send(a(), "PUT", "/c/bank/NO_SUCH_BANK", { enabled: true });
    assert.equal(missing.statusCode, 404);
    assert.equal(message(missing), "Bank not found");
  });

  test("POST /c/bank/<name>/signal adds content by its signal: {id, signals}", async () => {
    const r = await send(a(), "POST", "/c/bank/TEST_BANK/signal", { pdq: PDQ_A, note: "Hash from campaign ABC" });
    assert.equal(r.statusCode, 200, r.body);
    const body = json<{ id: number; signals: Record<string, string> }>(r);
    assert.deepEqual(body.signals, { pdq: PDQ_A });
    assert.ok(Number.isInteger(body.id) && body.id > 0);
    signalId = body.id;
    const stored = await signalOf(t, signalId);
    assert.equal(stored?.type, "pdq");
    assert.equal(stored?.value, PDQ_A);

    const errors: [unknown, number, string][] = [
      [{ foo: "x" }, 400, "No such signal type foo"],
      [{ pdq: "not-a-hash" }, 400, "Invalid pdq signal: invalid PDQ hash"],
      [{ video_md5: "xyz" }, 400, "Invalid video_md5 signal: 'xyz' is not a valid MD5 hash"],
      [{ note: "only a note" }, 400, "No signals given"],
    ];
    for (const [payload, status, text] of errors) {
      const e = await send(a(), "POST", "/c/bank/TEST_BANK/signal", payload);
      assert.equal(e.statusCode, status, JSON.stringify(payload));
      assert.equal(message(e), text);
    }
    const nobank = await send(a(), "POST", "/c/bank/NO_SUCH_BANK/signal", { pdq: PDQ_A });
    assert.equal(nobank.statusCode, 404);
    assert.equal(message(nobank), "bank 'NO_SUCH_BANK' not found");
  });

  test("GET /m/lookup by signal: {BANK: [{bank_content_id, distance}]} with string distances", async () => {
    const exact = await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`);
    assert.equal(exact.statusCode, 200, exact.body);
    assert.deepEqual(json(exact), { TEST_BANK: [{ bank_content_id: signalId, distance: "0" }] });
    const near = await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_B}`);
    assert.deepEqual(json(near), { TEST_BANK: [{ bank_content_id: signalId, distance: "9" }] });
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_OTHER}`)), {});
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}&banks=OTHER_BANK`)), {});

    const neither = await get(a(), "/m/lookup?signal=abc");
    assert.equal(neither.statusCode, 400);
    assert.equal(message(neither), "Either url or both signal and signal_type are required");
    const badType = await get(a(), `/m/lookup?signal_type=nope&signal=${PDQ_A}`);
    assert.equal(badType.statusCode, 400);
    assert.equal(message(badType), "No such SignalType 'nope'");
  });

  test("the coin flip: a bank with matching_enabled_ratio 0.5 takes part when random.Random(seed) < 0.5", async () => {
    const added = await send(a(), "POST", "/c/bank/MY_TEST_BANK_RENAMED/signal", { pdq: PDQ_B });
    const id = json<{ id: number }>(added).id;
    // random.Random("42").random() = 0.47 ≤ 0.5: both banks; random.Random("").random() = 0.96: only TEST_BANK.
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_B}&seed=42`)), {
      TEST_BANK: [{ bank_content_id: signalId, distance: "9" }],
      MY_TEST_BANK_RENAMED: [{ bank_content_id: id, distance: "0" }],
    });
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_B}&seed=`)), {
      TEST_BANK: [{ bank_content_id: signalId, distance: "9" }],
    });
    // GET ignores bypass_coinflip, as HMA does.
    assert.deepEqual(
      Object.keys(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_B}&seed=&bypass_coinflip=true`))),
      ["TEST_BANK"],
    );
    // raw_lookup has no coin flip.
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_B}`)), {
      matches: [id, signalId],
    });
    const gone = await send(a(), "DELETE", `/c/bank/MY_TEST_BANK_RENAMED/content/${id}`);
    assert.deepEqual(json(gone), { deleted: 1 });
  });

  test("GET /m/raw_lookup: {matches: [ids]}, or with include_distance {matches: [{bank_content_id, distance}]}", async () => {
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [signalId] });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}&include_distance=true`)), {
      matches: [{ bank_content_id: signalId, distance: "0" }],
    });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}&banks=NO_SUCH_BANK`)), {
      matches: [],
    });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}&banks=TEST_BANK`)), {
      matches: [signalId],
    });
    const bad = await get(a(), "/m/raw_lookup?signal_type=pdq&signal=123");
    assert.equal(bad.statusCode, 400);
    assert.equal(message(bad), "invalid signal: invalid PDQ hash");
    const unknown = await get(a(), `/m/raw_lookup?signal_type=foo&signal=${PDQ_A}`);
    assert.equal(message(unknown), "No such SignalType 'foo'");
    const missing = await get(a(), "/m/raw_lookup?signal_type=pdq");
    assert.equal(missing.statusCode, 422);
    assert.equal(message(missing), "signal: Field required");
    const badBool = await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}&include_distance=maybe`);
    assert.equal(badBool.statusCode, 422);
  });

  test("POST /c/bank/<name>/content with a photo: the PDQ of the bytes, then POST /m/lookup finds it", async () => {
    const r = await upload(a(), "/c/bank/TEST_BANK/content", { field: "photo", bytes: photo });
    assert.equal(r.statusCode, 200, r.body);
    const body = json<{ id: number; signals: Record<string, string> }>(r);
    assert.deepEqual(body.signals, { pdq: photoHash });
    photoContentId = body.id;
    assert.equal((await signalOf(t, photoContentId))?.quality, (await pdqHashImageBytes(photo)).quality);

    const lookup = await upload(a(), "/m/lookup", { field: "photo", bytes: photo });
    assert.equal(lookup.statusCode, 200, lookup.body);
    assert.deepEqual(json(lookup), { pdq: { TEST_BANK: [{ bank_content_id: photoContentId, distance: "0" }] } });
    // A type with no match is still listed, with an empty map.
    const other = await upload(a(), "/m/lookup", { field: "photo", bytes: await detailedPng(12) });
    assert.deepEqual(json(other), { pdq: {} });
  });

  test("POST /m/lookup: bypass_coinflip=true lets a bank with ratio 0 take part", async () => {
    await send(a(), "POST", "/c/banks", { name: "DARK_BANK", enabled_ratio: 0 });
    const added = json<{ id: number }>(
      await upload(a(), "/c/bank/DARK_BANK/content", { field: "photo", bytes: photo }),
    );
    const flipped = json<{ pdq: Record<string, unknown> }>(
      await upload(a(), "/m/lookup?seed=1", { field: "photo", bytes: photo }),
    );
    assert.deepEqual(Object.keys(flipped.pdq), ["TEST_BANK"]);
    const bypassed = await upload(a(), "/m/lookup?bypass_coinflip=true", { field: "photo", bytes: photo });
    assert.deepEqual(json(bypassed), {
      pdq: {
        TEST_BANK: [{ bank_content_id: photoContentId, distance: "0" }],
        DARK_BANK: [{ bank_content_id: added.id, distance: "0" }],
      },
    });
    assert.deepEqual(json(await send(a(), "DELETE", "/c/bank/DARK_BANK")), { message: "Done" });
  });

  test('POST /h/hash: {pdq} for a photo, "" below quality 50, and HMA\'s upload errors', async () => {
    const r = await upload(t.keys.a.submitter, "/h/hash", { field: "photo", bytes: photo });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json(r), { pdq: photoHash });

    const flat = await flatPng();
    assert.deepEqual(json(await upload(a(), "/h/hash", { field: "photo", bytes: flat })), { pdq: "" });
    const lowLookup = await upload(a(), "/m/lookup", { field: "photo", bytes: flat });
    assert.equal(lowLookup.statusCode, 400);
    assert.equal(message(lowLookup), "invalid signal: invalid PDQ hash");
    const lowAdd = await upload(a(), "/c/bank/TEST_BANK/content", { field: "photo", bytes: flat });
    assert.equal(lowAdd.statusCode, 400);
    assert.equal(message(lowAdd), "Invalid pdq signal: invalid PDQ hash");

    const wrongField = await upload(a(), "/h/hash", { field: "file", bytes: photo });
    assert.equal(wrongField.statusCode, 400);
    assert.equal(message(wrongField), "no such content_type: 'file'");
    const two = await upload(a(), "/h/hash", { field: "photo", bytes: photo }, { field: "video", bytes: photo });
    assert.equal(two.statusCode, 400);
    assert.equal(message(two), "Only one file allowed per request");
    const none = await upload(a(), "/h/hash", { field: "note", value: "no file" });
    assert.equal(none.statusCode, 400);
    assert.equal(message(none), "Missing multipart/form-data file upload");
    const notMultipart = await send(a(), "POST", "/h/hash", { photo: "x" });
    assert.equal(message(notMultipart), "Missing multipart/form-data file upload");
    const badTypes = await upload(a(), "/h/hash?types=vpdq", { field: "photo", bytes: photo });
    assert.equal(message(badTypes), "signal type 'vpdq' doesn't exist or is disabled");
  });

  test("POST /m/compare: {pdq: [true, {distance: 9}]} and HMA's errors", async () => {
    const r = await send(a(), "POST", "/m/compare", { pdq: [PDQ_A, PDQ_B] });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(json(r), { pdq: [true, { distance: 9 }] });
    assert.deepEqual(json(await send(a(), "POST", "/m/compare", { pdq: [PDQ_A, PDQ_OTHER] })), {
      pdq: [false, { distance: 128 }],
    });
    const errors: [unknown, string][] = [
      [[PDQ_A, PDQ_B], "Request input was not a dict"],
      [{ pdq: PDQ_A }, "Comparison hashes for pdq was not a list"],
      [{ pdq: [PDQ_A] }, "Comparison hash list length must be exactly 2"],
      [{ foo: [PDQ_A, PDQ_B] }, "No such SignalType 'foo'"],
      [{ pdq: [PDQ_A, "zz"] }, "Invalid pdq hash: invalid PDQ hash"],
    ];
    for (const [payload, text] of errors) {
      const e = await send(a(), "POST", "/m/compare", payload);
      assert.equal(e.statusCode, 400, JSON.stringify(payload));
      assert.equal(message(e), text);
    }
  });

  test("GET /m/index/status: {type: {built_to, present, size}}", async () => {
    const r = json<Record<string, { built_to: number; present: boolean; size: number }>>(
      await get(a(), "/m/index/status"),
    );
    assert.deepEqual(Object.keys(r), ["pdq", "video_md5", "vpdq", "md5", "sha256", "url", "text"]);
    assert.equal(r.pdq!.present, true);
    assert.ok(r.pdq!.size >= 2);
    assert.ok(r.pdq!.built_to > 1_700_000_000);
    // Another member is not told the size of banks it may not see (issue 15, item 10).
    const other = json<Record<string, { size: number }>>(await get(b(), "/m/index/status"));
    assert.equal(other.pdq!.size, 0);
    assert.equal(other.text!.size, 0);
    assert.deepEqual(Object.keys(json(await get(a(), "/m/index/status?signal_type=pdq"))), ["pdq"]);
    const bad = await get(a(), "/m/index/status?signal_type=nope");
    assert.equal(bad.statusCode, 400);
    assert.equal(message(bad), "No such signal type 'nope'");
  });

  test("GET /c/signal_type lists the signal types, all enabled", async () => {
    assert.deepEqual(
      json(await get(t.keys.a.reader, "/c/signal_type")),
      ["pdq", "video_md5", "vpdq", "md5", "sha256", "url", "text"].map((name) => ({ enabled_ratio: 1, name })),
    );
  });

  test("content: GET with and without include_signals, PUT disable_until_ts 0 and 1, DELETE", async () => {
    const url = `/c/bank/TEST_BANK/content/${signalId}`;
    const got = await get(t.keys.a.reader, url);
    assert.equal(got.statusCode, 200, got.body);
    assertSortedKeys(json(got));
    assertSortedKeys(json(await get(a(), `${url}?include_signals=true`)));
    assert.deepEqual(json(got), {
      bank: { matching_enabled_ratio: 1, name: "TEST_BANK" },
      disable_until_ts: 1,
      id: signalId,
      note: "Hash from campaign ABC",
      original_media_uri: null,
    });
    assert.deepEqual(json(await get(a(), `${url}?include_signals=true`)), {
      bank: { matching_enabled_ratio: 1, name: "TEST_BANK" },
      disable_until_ts: 1,
      id: signalId,
      note: "Hash from campaign ABC",
      original_media_uri: null,
      signals: { pdq: PDQ_A },
    });

    const off = await send(a(), "PUT", url, { disable_until_ts: 0 });
    assert.equal(off.statusCode, 200, off.body);
    assert.deepEqual(json(off), {
      bank: { matching_enabled_ratio: 1, name: "TEST_BANK" },
      collab_metadata: {},
      disable_until_ts: 0,
      id: signalId,
      note: "Hash from campaign ABC",
      original_media_uri: null,
      user_metadata: null,
    });
    assert.equal((await signalOf(t, signalId))?.status, "retracted");
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)), {});

    const on = await send(a(), "PUT", url, { disable_until_ts: "1", note: "" });
    assert.equal(json<{ disable_until_ts: number }>(on).disable_until_ts, 1);
    assert.equal(json<{ note: unknown }>(on).note, null);
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)), {
      TEST_BANK: [{ bank_content_id: signalId, distance: "0" }],
    });

    // Disabled until a time: no match before it; a time already passed enables it again.
    const until = Math.floor(Date.now() / 1000) + 3600;
    const timed = await send(a(), "PUT", url, { disable_until_ts: until });
    assert.equal(json<{ disable_until_ts: number }>(timed).disable_until_ts, until);
    assert.equal(json<{ disable_until_ts: number }>(await get(a(), url)).disable_until_ts, until);
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)), {});
    await send(a(), "PUT", url, { disable_until_ts: 1000 });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [signalId] });
    const far = await send(a(), "PUT", url, { disable_until_ts: until + 6 * 365 * 86_400 });
    assert.equal(message(far), "disable_until_ts must be less than 5 years in the future");
    assert.equal(message(await send(a(), "PUT", url, { disable_until_ts: "soon" })), "Invalid int: 'soon'");
    assert.equal(
      message(await send(a(), "PUT", url, { disable_until_ts: -5 })),
      "disable_until_ts must be a non-negative integer",
    );

    // Content of one bank is not reachable through another bank's name.
    await send(a(), "POST", "/c/banks", { name: "SECOND_BANK" });
    const elsewhere = await get(a(), `/c/bank/SECOND_BANK/content/${signalId}`);
    assert.equal(elsewhere.statusCode, 404);
    assert.equal(message(elsewhere), `content '${signalId}' not found`);
    assert.deepEqual(json(await send(a(), "DELETE", `/c/bank/SECOND_BANK/content/${signalId}`)), { deleted: 0 });

    const del = await send(a(), "DELETE", url);
    assert.deepEqual(json(del), { deleted: 1 });
    assert.deepEqual(json(await send(a(), "DELETE", url)), { deleted: 0 });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [] });
    const audit = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(audit.some((e) => e.action === "signal.retract" && e.target === `hma_content:${signalId}`));
    assert.ok(audit.some((e) => e.action === "signal.update" && e.target === `hma_content:${signalId}`));

    const gone = await get(a(), url);
    assert.equal(gone.statusCode, 404, "a deleted content is not there any more");
    const reAdd = await send(a(), "POST", "/c/bank/TEST_BANK/signal", { pdq: PDQ_A });
    const again = json<{ id: number }>(reAdd).id;
    assert.notEqual(again, signalId, "each add is a new content");
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [again] });
    signalId = again;
  });

  test("sharing: org B cannot see, match or change org A's AMBER+STRICT bank through /c and /m", async () => {
    for (const url of [
      "/c/bank/TEST_BANK",
      `/c/bank/TEST_BANK/content/${signalId}`,
      `/c/bank/TEST_BANK/content/${photoContentId}?include_signals=true`,
    ]) {
      const r = await get(b(), url);
      assert.equal(r.statusCode, 404, url);
      assert.equal(message(r), "bank 'TEST_BANK' not found");
    }
    const put = await send(b(), "PUT", "/c/bank/TEST_BANK", { enabled: false });
    assert.equal(put.statusCode, 404);
    assert.equal(message(put), "Bank not found");
    for (const [method, url, payload] of [
      ["POST", "/c/bank/TEST_BANK/signal", { pdq: PDQ_OTHER }],
      ["PUT", `/c/bank/TEST_BANK/content/${signalId}`, { disable_until_ts: 0 }],
      ["DELETE", `/c/bank/TEST_BANK/content/${signalId}`, undefined],
    ] as const) {
      const r = await send(b(), method, url, payload);
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.equal(message(r), "bank 'TEST_BANK' not found");
    }
    const content = await upload(b(), "/c/bank/TEST_BANK/content", { field: "photo", bytes: photo });
    assert.equal(content.statusCode, 404);
    // DELETE of a bank the caller cannot see is "Done", as for a bank that does not exist; nothing changes.
    assert.deepEqual(json(await send(b(), "DELETE", "/c/bank/TEST_BANK")), { message: "Done" });
    assert.ok(await t.s.store.getBankByName(t.orgs.a.id, "TEST_BANK"));
    assert.equal((await signalOf(t, signalId))?.status, "active");

    assert.deepEqual(json(await get(b(), "/c/banks")), []);
    assert.deepEqual(json(await get(b(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)), {});
    assert.deepEqual(json(await get(b(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [] });
    assert.deepEqual(json(await upload(t.keys.b.submitter, "/m/lookup", { field: "photo", bytes: photo })), {
      pdq: {},
    });

    // Names are per organisation: B may have its own TEST_BANK, and B's name finds B's bank.
    assert.equal((await send(b(), "POST", "/c/banks", { name: "TEST_BANK" })).statusCode, 201);
    const mine = json<{ id: number }>(await send(b(), "POST", "/c/bank/TEST_BANK/signal", { pdq: PDQ_A }));
    assert.deepEqual(json(await get(b(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)), {
      TEST_BANK: [{ bank_content_id: mine.id, distance: "0" }],
    });
    assert.deepEqual(json(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_A}`)), { matches: [signalId] });
  });

  test("sharing: a GREEN bank of org A is visible to org B and matched, but only A may change it", async () => {
    const created = await send(a(), "POST", "/c/banks", { name: "SHARED_BANK", tlp: "GREEN" });
    assert.equal(created.statusCode, 201, created.body);
    const added = json<{ id: number }>(await send(a(), "POST", "/c/bank/SHARED_BANK/signal", { pdq: PDQ_B }));
    // B knows A's bank by a name that carries its owner.
    assert.equal((await get(b(), "/c/bank/SHARED_BANK")).statusCode, 404);
    const foreign = "PLATFORM_A__SHARED_BANK";
    assert.deepEqual(json(await get(b(), `/c/bank/${foreign}`)), { matching_enabled_ratio: 1, name: foreign });
    assert.deepEqual(json(await get(b(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_B}&banks=${foreign}`)), {
      matches: [added.id],
    });
    const change = await send(b(), "PUT", `/c/bank/${foreign}`, { enabled: false });
    assert.equal(change.statusCode, 403);
    assert.match(message(change), /belongs to another organisation/);
    const del = await send(b(), "DELETE", `/c/bank/${foreign}/content/${added.id}`);
    assert.equal(del.statusCode, 403);
    const badTlp = await send(a(), "POST", "/c/banks", { name: "RED_BANK", tlp: "RED" });
    assert.equal(badTlp.statusCode, 400);
  });

  test("two organisations' banks of one name never share a name for any caller", async () => {
    for (const key of [a(), b()]) {
      const made = await send(key, "POST", "/c/banks", { name: "COMMON_NAME", tlp: "GREEN" });
      assert.equal(made.statusCode, 201, made.body);
    }
    const ofA = json<{ id: number }>(await send(a(), "POST", "/c/bank/COMMON_NAME/signal", { pdq: PDQ_OTHER }));
    const ofB = json<{ id: number }>(await send(b(), "POST", "/c/bank/COMMON_NAME/signal", { pdq: PDQ_OTHER }));
    assert.notEqual(ofA.id, ofB.id);

    // Each caller's own bank keeps its name; the other's carries its organisation.
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_OTHER}`)), {
      COMMON_NAME: [{ bank_content_id: ofA.id, distance: "0" }],
      GOVERNMENT_B__COMMON_NAME: [{ bank_content_id: ofB.id, distance: "0" }],
    });
    assert.deepEqual(json(await get(b(), `/m/lookup?signal_type=pdq&signal=${PDQ_OTHER}`)), {
      COMMON_NAME: [{ bank_content_id: ofB.id, distance: "0" }],
      PLATFORM_A__COMMON_NAME: [{ bank_content_id: ofA.id, distance: "0" }],
    });
    const names = json<{ name: string }[]>(await get(b(), "/c/banks")).map((x) => x.name);
    assert.equal(new Set(names).size, names.length, `no name twice: ${names.join(", ")}`);
    assert.ok(names.includes("COMMON_NAME") && names.includes("PLATFORM_A__COMMON_NAME"));
    assert.deepEqual(
      json(await get(b(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_OTHER}&banks=PLATFORM_A__COMMON_NAME`)),
      { matches: [ofA.id] },
    );
    // The other's content is reached under its name, and says so.
    const content = json<{ bank: { name: string } }>(
      await get(b(), `/c/bank/PLATFORM_A__COMMON_NAME/content/${ofA.id}`),
    );
    assert.equal(content.bank.name, "PLATFORM_A__COMMON_NAME");
    assert.equal((await get(b(), `/c/bank/COMMON_NAME/content/${ofA.id}`)).statusCode, 404);
  });

  test("an allow-list (negative) bank's match suppresses the others in lookups, not in raw_lookup", async () => {
    const made = await send(a(), "POST", "/v1/banks", { name: "ALLOW_LIST", negative: true });
    assert.equal(made.statusCode, 201, made.body);
    const bankId = json<{ id: number }>(made).id;
    const added = await send(a(), "POST", `/v1/banks/${bankId}/signals`, { signals: [{ type: "pdq", value: PDQ_B }] });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(json(await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_B}`)), {});
    const raw = json<{ matches: number[] }>(await get(a(), `/m/raw_lookup?signal_type=pdq&signal=${PDQ_B}`));
    assert.ok(raw.matches.includes(signalId));
    assert.equal(raw.matches.length, 3); // TEST_BANK, SHARED_BANK and ALLOW_LIST
  });
});

describe("HMA API: hashing and adding media by URL", () => {
  let media: { server: Server; url: (path: string) => string };
  let photo: Buffer;
  let photoHash: string;

  before(async () => {
    photo = await detailedPng(21);
    photoHash = (await pdqHashImageBytes(photo)).hash;
    media = await startMediaServer({
      "/img.png": { type: "image/png", body: photo },
      "/img.bin": { type: "application/octet-stream", body: photo },
    });
  });
  after(async () => {
    await new Promise((resolve) => media.server.close(resolve));
  });

  test("GET /h/hash?url= refuses a private address by default (400)", async () => {
    const t = await startTestService({ workers: false });
    try {
      const r = await t.call(t.keys.a.submitter, {
        method: "GET",
        url: `/h/hash?url=${encodeURIComponent(media.url("/img.png"))}`,
      });
      assert.equal(r.statusCode, 400);
      assert.match(message(r), /^Invalid or unsafe URL provided: .*not a public address/);
      const scheme = await t.call(t.keys.a.submitter, { method: "GET", url: "/h/hash?url=file:///etc/passwd" });
      assert.match(message(scheme), /^Invalid or unsafe URL provided: /);
      // As HMA's is_valid_url (its test_malformed_urls): an empty authority, which the WHATWG
      // parser would mend into http://example.com/, and a port that is not digits are refused.
      for (const bad of ["http:///example.com", "http://example.com:", "http://example.com:abc"]) {
        const r2 = await t.call(t.keys.a.submitter, { method: "GET", url: `/h/hash?url=${encodeURIComponent(bad)}` });
        assert.equal(r2.statusCode, 400, bad);
        assert.match(message(r2), /^Invalid or unsafe URL provided: /, bad);
      }
    } finally {
      await t.close();
    }
  });

  test("with RASD_FETCH_ALLOW_PRIVATE=1: hash, look up and add by URL", async () => {
    const t = await startTestService({ env: { RASD_FETCH_ALLOW_PRIVATE: "1" } });
    const q = (path: string) => encodeURIComponent(media.url(path));
    const get = (url: string) => t.call(t.keys.a.curator, { method: "GET", url });
    try {
      const r = await get(`/h/hash?url=${q("/img.png")}`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(json(r), { pdq: photoHash });

      const untyped = await get(`/h/hash?url=${q("/img.bin")}`);
      assert.equal(untyped.statusCode, 400);
      assert.equal(
        message(untyped),
        "unsupported url ContentType: 'application/octet-stream', if you know the expected type, provide it with the content_type query param",
      );
      assert.deepEqual(json(await get(`/h/hash?url=${q("/img.bin")}&content_type=photo`)), { pdq: photoHash });
      assert.equal(
        message(await get(`/h/hash?url=${q("/img.png")}&content_type=audio`)),
        "no such content_type: 'audio'",
      );
      const missing = await get(`/h/hash?url=${q("/missing.png")}`);
      assert.equal(missing.statusCode, 400);
      assert.match(message(missing), /^Failed to fetch URL: .*404/);
      const huge = await get(`/h/hash?url=${q("/huge.png")}`);
      assert.equal(huge.statusCode, 413);
      assert.equal(message(huge), "Content too large");
      const noUrl = await get("/h/hash");
      assert.equal(noUrl.statusCode, 422);
      assert.equal(message(noUrl), "url: Field required");

      assert.equal(
        (await t.call(t.keys.a.curator, { method: "POST", url: "/c/banks", payload: { name: "URL_BANK" } })).statusCode,
        201,
      );
      const added = await t.call(t.keys.a.curator, {
        method: "POST",
        url: `/c/bank/URL_BANK/content?url=${q("/img.png")}`,
      });
      assert.equal(added.statusCode, 200, added.body);
      const body = json<{ id: number; signals: Record<string, string> }>(added);
      assert.deepEqual(body.signals, { pdq: photoHash });
      assert.deepEqual(json(await get(`/m/lookup?url=${q("/img.png")}`)), {
        pdq: { URL_BANK: [{ bank_content_id: body.id, distance: "0" }] },
      });
      assert.deepEqual(json(await get(`/m/lookup?url=${q("/img.png")}&signal_type=pdq`)), {
        URL_BANK: [{ bank_content_id: body.id, distance: "0" }],
      });
      const neither = await t.call(t.keys.a.curator, { method: "POST", url: "/c/bank/URL_BANK/content" });
      assert.equal(message(neither), "Neither `url` nor multipart file upload was received");
    } finally {
      await t.close();
    }
  });
});

describe("HMA API: video", { skip: needsFfmpeg }, () => {
  let t: TestService;
  let dir: string;
  let video: Buffer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "rasd-hma-video-"));
    const file = join(dir, "clip.mp4");
    execFileSync("ffmpeg", [
      "-loglevel",
      "error",
      "-f",
      "lavfi",
      "-i",
      "testsrc=duration=2:size=128x96:rate=10",
      "-pix_fmt",
      "yuv420p",
      file,
    ]);
    video = readFileSync(file);
    t = await startTestService();
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("POST /h/hash with a video: video_md5 and vpdq as HMA's vpdq extension writes it", async () => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/h/hash",
      ...multipart({ field: "video", bytes: video }),
    });
    assert.equal(r.statusCode, 200, r.body);
    const body = json<{ video_md5: string; vpdq: string }>(r);
    assert.deepEqual(Object.keys(body), ["video_md5", "vpdq"]);
    assert.equal(body.video_md5, createHash("md5").update(video).digest("hex"));
    const expected = await vpdqHashVideoFile(join(dir, "clip.mp4"), { secondsPerHash: 1 });
    assert.equal(body.vpdq, hmaVpdqJson(expected.frames));
    const frames = JSON.parse(body.vpdq) as string[];
    assert.equal(frames.length, 2);
    assert.match(frames[0]!, /^[0-9a-f]{64},\d{1,3},0\.0$/);
    assert.match(frames[1]!, /^[0-9a-f]{64},\d{1,3},1\.0$/);
    const only = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/h/hash?types=video_md5",
      ...multipart({ field: "video", bytes: video }),
    });
    assert.deepEqual(Object.keys(json(only)), ["video_md5"]);
  });

  test('a video added as content is found by POST /m/lookup through video_md5 ("-") and vpdq', async () => {
    await t.call(t.keys.a.curator, { method: "POST", url: "/c/banks", payload: { name: "VIDEO_BANK" } });
    const added = await t.call(t.keys.a.curator, {
      method: "POST",
      url: "/c/bank/VIDEO_BANK/content",
      ...multipart({ field: "video", bytes: video }),
    });
    assert.equal(added.statusCode, 200, added.body);
    const body = json<{ id: number; signals: Record<string, string> }>(added);
    assert.deepEqual(Object.keys(body.signals), ["video_md5", "vpdq"]);
    const lookup = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/m/lookup",
      ...multipart({ field: "video", bytes: video }),
    });
    assert.equal(lookup.statusCode, 200, lookup.body);
    const got = json<Record<string, Record<string, { bank_content_id: number; distance: string }[]>>>(lookup);
    assert.deepEqual(got.video_md5, { VIDEO_BANK: [{ bank_content_id: body.id, distance: "-" }] });
    assert.equal(got.vpdq!.VIDEO_BANK!.length, 1);
    assert.equal(got.vpdq!.VIDEO_BANK![0]!.distance, "100%[100%]");
    const compare = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/m/compare",
      payload: {
        vpdq: [body.signals.vpdq, body.signals.vpdq],
        video_md5: [body.signals.video_md5, body.signals.video_md5],
      },
    });
    assert.deepEqual(json(compare), {
      vpdq: [true, { query_match_percent: 100, compared_match_percent: 100 }],
      video_md5: [true, {}],
    });
  });
});
