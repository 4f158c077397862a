/**
 * HMA bank content as one item with all its signals (issue 17, decision 0020): a content's
 * signals are added, disabled and deleted together; each add is a new content; content
 * metadata; disable_until_ts until a time on the database's clock; the signal-type and
 * content-type settings, per organisation, written by its admin only.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { detailedPng } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

const PDQ_A = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318";
const PDQ_C = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const MD5 = "d41d8cd98f00b204e9800998ecf8427e";

function message(r: LightMyRequestResponse): string {
  return json<{ message: string }>(r).message;
}

function multipart(parts: { field: string; bytes?: Buffer; value?: string }[]) {
  const boundary = "----rasdhmacontent";
  const chunks: Buffer[] = [];
  for (const p of parts)
    chunks.push(
      p.bytes
        ? Buffer.concat([
            Buffer.from(
              `--${boundary}\r\ncontent-disposition: form-data; name="${p.field}"; filename="x.png"\r\ncontent-type: image/png\r\n\r\n`,
            ),
            p.bytes,
            Buffer.from("\r\n"),
          ])
        : Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${p.field}"\r\n\r\n${p.value}\r\n`),
    );
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

describe("HMA content: one item with all its signals", () => {
  let t: TestService;
  const a = () => t.keys.a.curator;
  const get = (key: string, url: string) => t.call(key, { method: "GET", url });
  const send = (key: string, method: "POST" | "PUT" | "DELETE", url: string, payload?: unknown) =>
    t.call(key, { method, url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const raw = async (type: string, signal: string): Promise<unknown[]> =>
    json<{ matches: unknown[] }>(await get(a(), `/m/raw_lookup?signal_type=${type}&signal=${signal}`)).matches;
  const statuses = async (contentId: number): Promise<string[]> => {
    const content = await t.s.hmaContents.get(contentId);
    return (await t.s.store.getSignals(content!.signalIds)).map((s) => s.status);
  };

  before(async () => {
    t = await startTestService();
    assert.equal((await send(a(), "POST", "/c/banks", { name: "CONTENT_BANK" })).statusCode, 201);
  });
  after(async () => {
    await t.close();
  });

  test('/signal {"pdq", "video_md5"} is one content; deleting it stops both from matching', async () => {
    const r = await send(a(), "POST", "/c/bank/CONTENT_BANK/signal", { pdq: PDQ_A, video_md5: MD5, note: "both" });
    assert.equal(r.statusCode, 200, r.body);
    const id = json<{ id: number }>(r).id;
    const got = json<{ signals: Record<string, string>; note: string }>(
      await get(a(), `/c/bank/CONTENT_BANK/content/${id}?include_signals=true`),
    );
    assert.deepEqual(got.signals, { pdq: PDQ_A, video_md5: MD5 });
    assert.equal(got.note, "both");
    assert.deepEqual(await raw("pdq", PDQ_A), [id]);
    assert.deepEqual(await raw("video_md5", MD5), [id]);

    const off = await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${id}`, { disable_until_ts: 0 });
    assert.equal(json<{ disable_until_ts: number }>(off).disable_until_ts, 0);
    assert.deepEqual(await statuses(id), ["retracted", "retracted"]);
    assert.deepEqual(await raw("video_md5", MD5), []);
    await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${id}`, { disable_until_ts: 1 });
    assert.deepEqual(await raw("video_md5", MD5), [id]);

    assert.deepEqual(json(await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${id}`)), { deleted: 1 });
    assert.deepEqual(await raw("pdq", PDQ_A), []);
    assert.deepEqual(await raw("video_md5", MD5), []);
    const gone = await get(a(), `/c/bank/CONTENT_BANK/content/${id}`);
    assert.equal(gone.statusCode, 404);
    assert.equal(message(gone), `content '${id}' not found`);
    assert.equal((await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${id}`, { note: "x" })).statusCode, 404);
    assert.deepEqual(json(await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${id}`)), { deleted: 0 });
  });

  test("each add is a new content: two of the same hash; deleting or disabling one leaves the other matching", async () => {
    const first = json<{ id: number }>(await send(a(), "POST", "/c/bank/CONTENT_BANK/signal", { pdq: PDQ_C })).id;
    const second = json<{ id: number }>(
      await send(a(), "POST", "/c/bank/CONTENT_BANK/signal", { pdq: PDQ_C, note: "again" }),
    ).id;
    assert.notEqual(first, second);
    assert.deepEqual(await raw("pdq", PDQ_C), [first, second]);
    assert.equal(json<{ note?: string }>(await get(a(), `/c/bank/CONTENT_BANK/content/${first}`)).note, undefined);

    await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${first}`, { disable_until_ts: 0 });
    assert.deepEqual(await raw("pdq", PDQ_C), [second], "the disabled one is left out, the other still matches");
    await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${second}`);
    assert.deepEqual(await raw("pdq", PDQ_C), [], "no enabled content holds the signal: it is retracted");
    assert.deepEqual(await statuses(first), ["retracted"]);
    await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${first}`, { disable_until_ts: 1 });
    assert.deepEqual(await raw("pdq", PDQ_C), [first]);
    await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${first}`);
  });

  test("metadata: stored and returned as HMA's BankedContentMetadata; include_metadata=false leaves it out", async () => {
    const photo = await detailedPng(21);
    const metadata = { content_id: "post-17", content_uri: "https://example.org/p/17", json: { campaign: "ABC" } };
    const r = await t.call(a(), {
      method: "POST",
      url: "/c/bank/CONTENT_BANK/content",
      ...multipart([
        { field: "photo", bytes: photo },
        { field: "metadata", value: JSON.stringify({ ...metadata, collab: { X: ["1"] } }) },
        { field: "note", value: "with metadata" },
      ]),
    });
    assert.equal(r.statusCode, 200, r.body);
    const id = json<{ id: number; signals: Record<string, string> }>(r).id;
    const url = `/c/bank/CONTENT_BANK/content/${id}`;
    assert.deepEqual(json(await get(a(), url)), {
      bank: { matching_enabled_ratio: 1, name: "CONTENT_BANK" },
      disable_until_ts: 1,
      id,
      metadata: { collab: null, ...metadata },
      note: "with metadata",
      original_media_uri: null,
    });
    assert.equal(json<{ metadata?: unknown }>(await get(a(), `${url}?include_metadata=false`)).metadata, undefined);
    const put = await send(a(), "PUT", url, { note: "changed" });
    assert.deepEqual(json<{ user_metadata: unknown }>(put).user_metadata, metadata);

    for (const [value, text] of [
      ["{not json", "metadata form field must be valid JSON"],
      ["[1]", "metadata should be a json object"],
      [JSON.stringify({ other: 1 }), "Invalid metadata: other: Extra inputs are not permitted"],
      [JSON.stringify({ content_id: 5 }), "Invalid metadata: content_id: Input should be a valid string"],
      [JSON.stringify({ json: "x" }), "Invalid metadata: json: Input should be a valid dictionary"],
    ] as const) {
      const bad = await t.call(a(), {
        method: "POST",
        url: "/c/bank/CONTENT_BANK/content",
        ...multipart([
          { field: "photo", bytes: photo },
          { field: "metadata", value },
        ]),
      });
      assert.equal(bad.statusCode, 400, value);
      assert.equal(message(bad), text);
    }
    const long = await send(a(), "POST", "/c/bank/CONTENT_BANK/signal", { pdq: PDQ_A, note: "n".repeat(256) });
    assert.equal(message(long), "note must be at most 255 characters");
    assert.equal((await pdqHashImageBytes(photo)).hash.length, 64);
  });

  test("disable_until_ts in the future: no match until then (the database's clock), then it matches again", async () => {
    const id = json<{ id: number }>(await send(a(), "POST", "/c/bank/CONTENT_BANK/signal", { pdq: PDQ_A })).id;
    const until = (await t.s.hmaContents.store.nowSeconds()) + 2;
    const put = await send(a(), "PUT", `/c/bank/CONTENT_BANK/content/${id}`, { disable_until_ts: String(until) });
    assert.equal(json<{ disable_until_ts: number }>(put).disable_until_ts, until);
    assert.deepEqual(await raw("pdq", PDQ_A), []);
    assert.equal(await t.s.hmaContents.enableDue(), 0, "not due yet");
    // The process's sweep (every second) enables it once the time has passed.
    const deadline = Date.now() + 8000;
    while ((await raw("pdq", PDQ_A)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await raw("pdq", PDQ_A), [id]);
    assert.ok((await t.s.hmaContents.store.nowSeconds()) >= until);
    assert.equal(
      json<{ disable_until_ts: number }>(await get(a(), `/c/bank/CONTENT_BANK/content/${id}`)).disable_until_ts,
      until,
    );
    await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${id}`);
  });

  test("a signal added through /v1 gets its own content when HMA first names it", async () => {
    const bank = (await t.s.store.getBankByName(t.orgs.a.id, "CONTENT_BANK"))!;
    await t.s.banks.addSignals(bank.id, [{ line: 0, raw: { type: "pdq", value: PDQ_C, source: "v1" } }]);
    const [id] = (await raw("pdq", PDQ_C)) as number[];
    assert.ok(Number.isInteger(id));
    assert.deepEqual(await raw("pdq", PDQ_C), [id], "made once");
    const got = json<{ note: string; signals: Record<string, string> }>(
      await get(a(), `/c/bank/CONTENT_BANK/content/${id}?include_signals=true`),
    );
    assert.deepEqual(got.signals, { pdq: PDQ_C });
    await send(a(), "DELETE", `/c/bank/CONTENT_BANK/content/${id}`);
    assert.deepEqual(await raw("pdq", PDQ_C), []);
  });

  test("signal types: GET per organisation; PUT by an admin only; a disabled type is not hashed or looked up", async () => {
    const list = json<{ name: string; enabled_ratio: number }[]>(await get(t.keys.a.reader, "/c/signal_type"));
    assert.ok(list.some((x) => x.name === "pdq" && x.enabled_ratio === 1));
    for (const key of [t.keys.a.curator, t.keys.a.reader, t.keys.a.submitter]) {
      const r = await send(key, "PUT", "/c/signal_type/pdq", { enabled_ratio: 0 });
      assert.equal(r.statusCode, 403);
    }
    const admin = t.keys.a.admin;
    assert.equal((await send(admin, "PUT", "/c/signal_type/pdq", { enabled_ratio: "0" })).statusCode, 204);
    assert.equal(message(await send(admin, "PUT", "/c/signal_type/pdq", {})), "enabled_ratio is required");
    assert.equal(
      message(await send(admin, "PUT", "/c/signal_type/pdq", { enabled_ratio: 2 })),
      "enabled_ratio must be between 0.0 and 1.0",
    );
    const none = await send(admin, "PUT", "/c/signal_type/nope", { enabled_ratio: 1 });
    assert.equal(none.statusCode, 404);
    const mine = json<{ name: string; enabled_ratio: number }[]>(await get(a(), "/c/signal_type"));
    assert.equal(mine.find((x) => x.name === "pdq")?.enabled_ratio, 0);
    const theirs = json<{ name: string; enabled_ratio: number }[]>(await get(t.keys.b.reader, "/c/signal_type"));
    assert.equal(theirs.find((x) => x.name === "pdq")?.enabled_ratio, 1, "another organisation's setting is its own");

    const lookup = await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`);
    assert.equal(lookup.statusCode, 400);
    assert.equal(message(lookup), "SignalType 'pdq' is not enabled");
    const photo = await detailedPng(22);
    const hashed = await t.call(a(), {
      method: "POST",
      url: "/h/hash",
      ...multipart([{ field: "photo", bytes: photo }]),
    });
    assert.deepEqual(json(hashed), {});
    const chosen = await t.call(a(), {
      method: "POST",
      url: "/h/hash?types=pdq",
      ...multipart([{ field: "photo", bytes: photo }]),
    });
    assert.equal(message(chosen), "signal type 'pdq' doesn't exist or is disabled");
    assert.equal((await get(t.keys.b.curator, `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)).statusCode, 200);
    await send(admin, "PUT", "/c/signal_type/pdq", { enabled_ratio: 1 });
    assert.equal((await get(a(), `/m/lookup?signal_type=pdq&signal=${PDQ_A}`)).statusCode, 200);
    const audit = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(audit.some((e) => e.action === "hma.signal_type" && e.target === "signal_type:pdq"));
  });

  test("content types: photo and video, enabled", async () => {
    assert.deepEqual(json(await get(t.keys.a.reader, "/c/content_type")), [
      { enabled: true, name: "photo" },
      { enabled: true, name: "video" },
    ]);
  });
});
