/**
 * Bad input at the HTTP edge: every malformed, oversized, mistyped or hostile request gets
 * a 4xx with a message that names the field or the problem — never a 500 — and whatever is
 * accepted (a 202) is kept and ends in a definite state: nothing lost, nothing dropped.
 *
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import sharp from "sharp";
import { buildApp } from "../../src/http/app.js";
import { pngDeclaring } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

interface ErrorBody {
  error: { code: string; message: string };
}

interface ItemBody {
  id: number;
  kind: string;
  status: string;
  error: string | null;
  url?: string;
  text?: string;
  posted_at: string | null;
  hashes: Record<string, unknown>;
}

interface Accepted {
  id: number;
  status: string;
  replay: boolean;
  href: string;
}

const JSON_TYPE = { "content-type": "application/json" };

let keySeq = 0;
/** A fresh Idempotency-Key for each request unless the test gives one. */
const freshKey = (): string => `bad-input-${process.pid}-${++keySeq}`;

/** Asserts an error answer: its status, a message matching every pattern, and no 500. */
function assertError(r: LightMyRequestResponse, status: number, ...patterns: RegExp[]): ErrorBody["error"] {
  assert.notEqual(r.statusCode, 500, `a 500 for bad input: ${r.body}`);
  assert.equal(r.statusCode, status, `expected HTTP ${status}, got ${r.statusCode}: ${r.body.slice(0, 300)}`);
  const body = json<ErrorBody>(r);
  assert.ok(body.error && typeof body.error.message === "string", `no error message in ${r.body.slice(0, 300)}`);
  for (const p of patterns) assert.match(body.error.message, p);
  assert.doesNotMatch(body.error.message, /\n/, "one line");
  assert.doesNotMatch(body.error.message, /internal error/);
  return body.error;
}

function assertAccepted(r: LightMyRequestResponse): Accepted {
  assert.equal(r.statusCode, 202, `expected 202, got ${r.statusCode}: ${r.body.slice(0, 300)}`);
  const body = json<Accepted>(r);
  assert.ok(Number.isInteger(body.id) && body.id > 0);
  assert.equal(r.headers.location, `/v1/content/${body.id}`);
  return body;
}

interface Part {
  readonly name: string;
  /** Given for a file part; absent for an ordinary field. */
  readonly filename?: string;
  readonly type?: string;
  readonly data: Uint8Array | string;
}

/** A multipart/form-data body as bytes plus its Content-Type (with the boundary), via FormData. */
async function multipart(parts: readonly Part[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename === undefined)
      form.append(p.name, typeof p.data === "string" ? p.data : Buffer.from(p.data).toString());
    else form.append(p.name, new Blob([p.data], { type: p.type ?? "application/octet-stream" }), p.filename);
  }
  const req = new Request("http://rasd.invalid/v1/content", { method: "POST", body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { "content-type": req.headers.get("content-type")! },
  };
}

/** A multipart body written by hand, for bodies FormData will not produce. */
function handMultipart(boundary: string, parts: readonly Part[], close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
          (p.filename === undefined ? "" : `Content-Type: ${p.type ?? "application/octet-stream"}\r\n`) +
          "\r\n",
      ),
      Buffer.from(p.data),
      Buffer.from("\r\n"),
    );
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Pseudo-random RGB so that JPEG and PNG encodings are tens of KiB, not a few hundred bytes. */
function noisyRgb(width: number, height: number): Buffer {
  const b = Buffer.alloc(width * height * 3);
  let x = 0x2545f491;
  for (let i = 0; i < b.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

describe("HTTP bad input", () => {
  let t: TestService;
  let jpeg: Buffer;
  let png: Buffer;

  before(async () => {
    t = await startTestService();
    const raw = noisyRgb(320, 240);
    jpeg = await sharp(raw, { raw: { width: 320, height: 240, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    png = await sharp(raw, { raw: { width: 320, height: 240, channels: 3 } })
      .png()
      .toBuffer();
  });
  after(async () => {
    await t?.close();
  });

  /** POST /v1/content as org A's submitter, with a fresh Idempotency-Key unless one is given. */
  const submit = (options: Omit<InjectOptions, "method" | "url">, key = t.keys.a.submitter) =>
    t.call(key, {
      ...options,
      method: "POST",
      url: "/v1/content",
      headers: { "idempotency-key": freshKey(), ...options.headers },
    });
  const submitJson = (body: unknown, headers: Record<string, string> = {}, key = t.keys.a.submitter) =>
    submit({ headers: { ...JSON_TYPE, ...headers }, payload: JSON.stringify(body) }, key);
  const submitParts = async (parts: readonly Part[], key = t.keys.a.submitter) => {
    const m = await multipart(parts);
    return submit({ headers: m.headers, payload: m.payload }, key);
  };
  const getItem = async (id: number, key = t.keys.a.submitter): Promise<ItemBody> => {
    const r = await t.call(key, { method: "GET", url: `/v1/content/${id}` });
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    return json<ItemBody>(r);
  };

  describe("body size and content type", () => {
    it("a JSON body over the 1 MiB limit is refused with 413", async () => {
      const r = await submitJson({ text: "a".repeat(1024 * 1024 + 16) });
      assertError(r, 413, /too large/i);
    });

    it("a body of several MiB that is not even JSON is refused with 413, not parsed", async () => {
      const r = await submit({ headers: JSON_TYPE, payload: Buffer.alloc(3 * 1024 * 1024, 0x20) });
      assertError(r, 413, /too large/i);
    });

    it("a multipart file over the file limit is refused with 413", async () => {
      const app: FastifyInstance = await buildApp({ access: t.s.access, routes: t.routes, fileLimit: 16 * 1024 });
      try {
        assert.ok(jpeg.length > 16 * 1024, `fixture is only ${jpeg.length} bytes`);
        for (const kind of ["image", "video"]) {
          const m = await multipart([
            { name: kind, filename: "big.bin", type: "application/octet-stream", data: jpeg },
          ]);
          const r = await app.inject({
            method: "POST",
            url: "/v1/content",
            payload: m.payload,
            headers: { ...m.headers, authorization: `Bearer ${t.keys.a.submitter}`, "idempotency-key": freshKey() },
          });
          assertError(r, 413, /too large/i);
        }
        // Under the limit the same app takes it.
        const small = await sharp(noisyRgb(32, 32), { raw: { width: 32, height: 32, channels: 3 } })
          .jpeg()
          .toBuffer();
        const m = await multipart([{ name: "image", filename: "small.jpg", type: "image/jpeg", data: small }]);
        const ok = await app.inject({
          method: "POST",
          url: "/v1/content",
          payload: m.payload,
          headers: { ...m.headers, authorization: `Bearer ${t.keys.a.submitter}`, "idempotency-key": freshKey() },
        });
        assertAccepted(ok);
      } finally {
        await app.close();
      }
    });

    for (const type of ["text/plain", "application/xml", "application/x-www-form-urlencoded", "text/json"]) {
      it(`Content-Type ${type} is refused with 415`, async () => {
        const r = await submit({ headers: { "content-type": type }, payload: "text=hello" });
        const e = assertError(r, 415);
        assert.equal(e.code, "unsupported_media_type");
      });
    }

    it("the 415 answer names the Content-Type that was sent and the ones accepted", async () => {
      const r = await submit({ headers: { "content-type": "application/xml" }, payload: "<text>hello</text>" });
      assertError(r, 415, /application\/xml/, /application\/json/, /multipart\/form-data/);
    });

    it("application/json with a charset parameter is still JSON", async () => {
      const r = await submit({
        headers: { "content-type": "application/json; charset=utf-8" },
        payload: JSON.stringify({ text: "charset parameter" }),
      });
      assertAccepted(r);
    });
  });

  describe("JSON syntax and encoding", () => {
    it("malformed JSON is a 400 naming it", async () => {
      for (const payload of ['{"text": ', "{text: 'x'}", '{"text":"x",}', "NaN"]) {
        const r = await submit({ headers: JSON_TYPE, payload });
        assertError(r, 400, /^malformed JSON: /);
      }
    });

    it("an empty JSON body (or only whitespace) is a 400", async () => {
      for (const payload of ["", "   \r\n\t"]) {
        const r = await submit({ headers: JSON_TYPE, payload });
        assertError(r, 400, /the JSON body is empty/);
      }
    });

    it("JSON that is not an object is a 400", async () => {
      for (const payload of ["[1,2]", '["text","x"]', '"text"', "42", "null", "true"]) {
        const r = await submit({ headers: JSON_TYPE, payload });
        assertError(r, 400, /^body: must be object$/);
      }
    });

    it("invalid UTF-8 bytes are a 400, not replaced with U+FFFD", async () => {
      const bodies = [
        Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
        Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3]), Buffer.from('"}')]), // cut 2-byte sequence
        Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // CESU surrogate
        Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong "/"
      ];
      for (const payload of bodies) {
        const r = await submit({ headers: JSON_TYPE, payload });
        assertError(r, 400, /not valid UTF-8/);
      }
    });

    it("a lone surrogate escape in text is a 400 naming the field", async () => {
      for (const escaped of ["\\ud800", "a\\udfffb", "\\udc00\\ud800"]) {
        const r = await submit({ headers: JSON_TYPE, payload: `{"text":"${escaped}"}` });
        assertError(r, 400, /^text: /, /unpaired UTF-16 surrogate/);
      }
      // ... in the other text fields too.
      const r = await submit({ headers: JSON_TYPE, payload: '{"text":"ok","author_id":"x\\ud800"}' });
      assertError(r, 400, /^author_id: /, /surrogate/);
      // A correctly paired escape is fine.
      assertAccepted(await submit({ headers: JSON_TYPE, payload: '{"text":"\\ud83d\\ude00 pair"}' }));
    });
  });

  describe("fields", () => {
    it("an unknown field is a 400 naming it", async () => {
      const r = await submitJson({ text: "hello", colour: "red" });
      assertError(r, 400, /unknown field "colour"/);
      const proto = await submit({ headers: JSON_TYPE, payload: '{"text":"x","__proto__":{"admin":true}}' });
      assertError(proto, 400, /unknown field "__proto__"/);
    });

    it("a field of the wrong type is a 400 naming it (an object, an array of several)", async () => {
      for (const text of [{ a: 1 }, ["x", "y"]]) {
        const r = await submitJson({ text });
        assertError(r, 400, /^body\.text: must be string$/);
      }
      const r = await submitJson({ url: { href: "https://example.com" } });
      assertError(r, 400, /^body\.url: must be string$/);
    });

    it("a number, boolean, null or one-element array where a string belongs is a 400 naming the field", async () => {
      for (const text of [5, true, ["x"], null]) {
        const r = await submitJson({ text });
        assertError(r, 400, /^body\.text: must be string$/);
      }
      for (const content_id of [12345, null, ["a"]]) {
        const r = await submitJson({ text: "fine", content_id });
        assertError(r, 400, /^body\.content_id: must be string$/);
      }
      assertError(await submitJson({ url: 5 }), 400, /^body\.url: must be string$/);
    });

    it("neither url nor text is a 400 saying what to give; a text with a url is its caption", async () => {
      const both = await submitJson({ url: "https://example.com/a", text: "hello" });
      assert.equal(both.statusCode, 202, both.body);
      const neither = await submitJson({ content_id: "c-1", author_id: "u-1" });
      assertError(neither, 400, /give "url" or "text"/);
      const empty = await submitJson({});
      assertError(empty, 400, /give "url" or "text"/);
    });

    it("a country that is not an ISO 3166-1 alpha-2 code is a 400 naming the field", async () => {
      assertError(await submitJson({ text: "x", country: "Iraq" }), 400, /country/);
      assertError(
        await submitJson({ text: "x", country: "I1" }),
        400,
        /^country: "I1" is not an ISO 3166-1 alpha-2 code/,
      );
      assert.equal((await submitJson({ text: "x", country: "iq", platform: "Video site" })).statusCode, 202);
    });

    it("empty and over-long text, over-long content_id, are 400s naming the field and the limit", async () => {
      assertError(await submitJson({ text: "" }), 400, /body\.text/, /fewer than 1 character/);
      assertError(await submitJson({ text: "a".repeat(100_001) }), 400, /body\.text/, /100000 characters/);
      assertError(await submitJson({ text: "x", content_id: "c".repeat(501) }), 400, /body\.content_id/, /500/);
    });
  });

  describe("Idempotency-Key", () => {
    it("a missing Idempotency-Key is a 400 naming the header", async () => {
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        headers: JSON_TYPE,
        payload: JSON.stringify({ text: "no key" }),
      });
      assertError(r, 400, /idempotency-key/i);
    });

    it("a bad Idempotency-Key (empty, non-ASCII, spaces, over 200 characters) is a 400", async () => {
      for (const key of ["", "clé-1", "مفتاح", "has space", "tab\there", "k".repeat(201)]) {
        const r = await submitJson({ text: "bad key" }, { "idempotency-key": key });
        assertError(r, 400, /Idempotency-Key header: 1\.\.200 printable ASCII characters/);
      }
      // 200 is still fine.
      assertAccepted(await submitJson({ text: "key of 200" }, { "idempotency-key": "k".repeat(200) }));
    });

    it("the same key and body again is the same item, marked as a replay; a different body is a 409", async () => {
      const key = freshKey();
      const first = assertAccepted(
        await submitJson({ text: "once only", content_id: "c-9" }, { "idempotency-key": key }),
      );
      assert.equal(first.replay, false);
      const again = assertAccepted(
        await submitJson({ content_id: "c-9", text: "once only" }, { "idempotency-key": key }),
      );
      assert.equal(again.id, first.id);
      assert.equal(again.replay, true);
      const different = await submitJson({ text: "something else", content_id: "c-9" }, { "idempotency-key": key });
      const e = assertError(different, 409, /Idempotency-Key/, /different request/, new RegExp(`item ${first.id}`));
      assert.equal(e.code, "conflict");
      // Keys belong to an organisation: org B may use the same key for its own item.
      const other = assertAccepted(
        await submitJson({ text: "once only", content_id: "c-9" }, { "idempotency-key": key }, t.keys.b.submitter),
      );
      assert.notEqual(other.id, first.id);
      assert.equal(other.replay, false);
    });
  });

  describe("posted_at", () => {
    it("garbage posted_at is a 400 naming posted_at", async () => {
      for (const posted_at of ["yesterday-ish", "2024-13-45T99:00:00Z", "not a date at all"]) {
        const r = await submitJson({ text: "when?", posted_at });
        assertError(r, 400, /^posted_at: not a date/, /ISO 8601/);
      }
      const r = await submitJson({ text: "when?", posted_at: { at: 1 } });
      assertError(r, 400, /posted_at/);
    });

    it("ISO 8601 and epoch milliseconds are both accepted and read back as ISO", async () => {
      const iso = assertAccepted(await submitJson({ text: "dated", posted_at: "2024-05-01T12:00:00Z" }));
      const epoch = assertAccepted(await submitJson({ text: "dated", posted_at: 1714564800000 }));
      const epochString = assertAccepted(await submitJson({ text: "dated", posted_at: "1714564800000" }));
      for (const a of [iso, epoch, epochString])
        assert.equal((await getItem(a.id)).posted_at, "2024-05-01T12:00:00.000Z");
    });

    it("a posted_at outside any real date is a 400, and never makes the item unreadable", async () => {
      // Org C, so that the org A items the other tests read are not poisoned while this is unfixed.
      for (const posted_at of [1e20, 9e15, -9e15]) {
        const r = await submitJson({ text: "far future", posted_at }, {}, t.keys.c.submitter);
        assertError(r, 400, /posted_at/);
      }
      const list = await t.call(t.keys.c.submitter, { method: "GET", url: "/v1/content" });
      assert.equal(list.statusCode, 200, list.body.slice(0, 300));
    });

    it("posted_at strings that only V8's lenient Date.parse takes are a 400, not a made-up date", async () => {
      for (const posted_at of ["0", "1.5", "12", "May 1", 1.5]) {
        const r = await submitJson({ text: "lenient", posted_at }, {}, t.keys.c.submitter);
        assertError(r, 400, /posted_at/);
      }
    });
  });

  describe("URLs", () => {
    it("a defanged URL is accepted, stored as sent, and hashed as its canonical form", async () => {
      const defanged = assertAccepted(await submitJson({ url: "hxxps://example[.]com/x" }));
      const plain = assertAccepted(await submitJson({ url: "https://EXAMPLE.com/x" }));
      await t.drain();
      const a = await getItem(defanged.id);
      const b = await getItem(plain.id);
      assert.equal(a.status, "done", String(a.error));
      assert.equal(a.url, "hxxps://example[.]com/x", "the URL as submitted is kept");
      assert.equal(a.hashes.url, "example.com/x");
      assert.equal(a.hashes.url, b.hashes.url, "defanged and plain spellings hash the same");
    });

    it("javascript: and other unsupported schemes are a 400 naming the scheme", async () => {
      const r = await submitJson({ url: "javascript:alert(1)" });
      const e = assertError(r, 400, /scheme "javascript" is not supported/);
      assert.equal(e.code, "url.unsupported_scheme");
      assertError(await submitJson({ url: "data:text/html,<script>alert(1)</script>" }), 400, /scheme "data"/);
      assertError(await submitJson({ url: "file:///etc/passwd" }), 400, /scheme "file"/);
    });

    it("a 10,000-character URL is a 400 naming url and the limit", async () => {
      const r = await submitJson({ url: `https://example.com/${"a".repeat(10_000)}` });
      assertError(r, 400, /url/, /8192/);
    });

    it("a URL with a control character or no host is a 400 naming the problem", async () => {
      assertError(await submitJson({ url: "https://example.com/a\u0000b" }), 400, /control character/);
      assertError(await submitJson({ url: "https://" }), 400, /host|not a valid URL/);
    });
  });

  describe("text in any script", () => {
    it("mixed-script and Arabic text is accepted and stored exactly as sent", async () => {
      const samples = [
        "بيان صادر عن المكتب الإعلامي — انشروا الرابط: t[.]me/example",
        "ٱلْحَمْدُ لِلَّٰهِ ١٢٣٤ \u200f(RTL mark) \u200d zero-width joiner",
        "Mixed: Привет мир, 你好, שלום, नमस्ते, ℌ𝔢𝔩𝔩𝔬 😀👍🏽, e\u0301 vs é",
        "Ｆｕｌｌｗｉｄｔｈ and\ttabs\nand newlines\r\n",
      ];
      const ids: number[] = [];
      for (const text of samples) ids.push(assertAccepted(await submitJson({ text })).id);
      await t.drain();
      for (const [i, id] of ids.entries()) {
        const item = await getItem(id);
        assert.equal(item.text, samples[i], "text comes back byte for byte (no normalisation on storage)");
        assert.equal(item.status, "done", String(item.error));
      }
    });
  });

  describe("captions are stored whole or refused (issue 15, item 9)", () => {
    // Mixed scripts, with characters of 1, 2 and 3 bytes in UTF-8 and a pair of surrogates.
    const caption = (n: number): string => {
      const unit = "نص caption ☪ 😀 ";
      const text = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
      return /[\uD800-\uDBFF]$/.test(text) ? `${text.slice(0, -1)}x` : text; // no half pair at the end
    };

    it("a 100,000-character caption is stored whole, as JSON with a URL and as multipart with an image", async () => {
      const text = caption(100_000);
      assert.equal(text.length, 100_000);
      assert.ok(Buffer.byteLength(text) > 64 * 1024 * 2, "well past the old 64 KiB multipart field size");
      const viaJson = assertAccepted(await submitJson({ url: "https://example.org/post/1", text }));
      assert.equal((await getItem(viaJson.id)).text, text);
      const viaParts = assertAccepted(
        await submitParts([
          { name: "text", data: text },
          { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
        ]),
      );
      assert.equal((await getItem(viaParts.id)).text, text);
    });

    it("one character more is a 400 naming text and the limit, as JSON and as multipart", async () => {
      const text = caption(100_001);
      assertError(await submitJson({ url: "https://example.org/post/2", text }), 400, /text/, /100000/);
      assertError(
        await submitParts([
          { name: "text", data: text },
          { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
        ]),
        400,
        /^text: longer than 100000 characters$/,
      );
    });

    it("a multipart field past the parser's field size is a 413 naming the field and the limit, never cut", async () => {
      const r = await submitParts([
        { name: "author_id", data: "a".repeat(600 * 1024) },
        { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
      ]);
      const error = assertError(r, 413, /field "author_id" is over the 524288 byte limit/);
      assert.equal(error.code, "field.too_large");
    });
  });

  describe("images via multipart", () => {
    it("an image is accepted and hashed (the control case)", async () => {
      const a = assertAccepted(
        await submitParts([
          { name: "content_id", data: "img-1" },
          { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
        ]),
      );
      await t.drain();
      const item = await getItem(a.id);
      assert.equal(item.status, "done", String(item.error));
      assert.match(String(item.hashes.pdq), /^[0-9a-f]{64}$/);
    });

    it("an empty file is a 400 naming the part", async () => {
      const r = await submitParts([
        { name: "image", filename: "empty.jpg", type: "image/jpeg", data: new Uint8Array(0) },
      ]);
      assertError(r, 400, /the image file is empty \(0 bytes\)/);
    });

    it("a truncated JPEG or PNG is refused at once, or accepted and then ends failed with a precise error", async () => {
      const cases: { label: string; bytes: Buffer; whole: Buffer; trailerOnly?: boolean }[] = [
        { label: "JPEG cut in half", bytes: jpeg.subarray(0, jpeg.length >> 1), whole: jpeg },
        { label: "JPEG cut after 40 bytes", bytes: jpeg.subarray(0, 40), whole: jpeg },
        { label: "JPEG cut 100 bytes short", bytes: jpeg.subarray(0, jpeg.length - 100), whole: jpeg },
        {
          label: "JPEG without its EOI marker",
          bytes: jpeg.subarray(0, jpeg.length - 2),
          whole: jpeg,
          trailerOnly: true,
        },
        { label: "PNG cut in half", bytes: png.subarray(0, png.length >> 1), whole: png },
        { label: "PNG cut after 30 bytes", bytes: png.subarray(0, 30), whole: png },
        { label: "PNG cut 100 bytes short", bytes: png.subarray(0, png.length - 100), whole: png },
        { label: "PNG without its IEND chunk", bytes: png.subarray(0, png.length - 12), whole: png, trailerOnly: true },
      ];
      const wholeIds = new Map<Buffer, number>();
      for (const whole of [jpeg, png])
        wholeIds.set(
          whole,
          assertAccepted(await submitParts([{ name: "image", filename: "whole", type: "image/jpeg", data: whole }])).id,
        );
      const accepted: { c: (typeof cases)[number]; id: number }[] = [];
      for (const c of cases) {
        const r = await submitParts([{ name: "image", filename: "cut.img", type: "image/jpeg", data: c.bytes }]);
        if (r.statusCode === 202) accepted.push({ c, id: assertAccepted(r).id });
        else assertError(r, 400, /truncated|corrupt/);
      }
      await t.drain();
      for (const { c, id } of accepted) {
        const item = await getItem(id);
        if (item.status === "done") {
          // Only the end marker is missing: every pixel is there, and the hash must be the whole image's.
          assert.ok(c.trailerOnly, `${c.label} was hashed: ${JSON.stringify(item.hashes)}`);
          const whole = await getItem(wholeIds.get(c.whole)!);
          assert.equal(item.hashes.pdq, whole.hashes.pdq, `${c.label}: not the whole image's hash`);
          continue;
        }
        assert.equal(item.status, "failed", `${c.label}: ${item.status}`);
        assert.match(String(item.error), /^(truncated|corrupt) image: \S/, c.label);
        assert.doesNotMatch(String(item.error), /:\s*$/, `${c.label}: the error ends in nothing`);
        assert.deepEqual(item.hashes, {}, `${c.label}: no half-grey hash`);
      }
      // The failed items are listed as failed: nothing is silently dropped.
      const failed = json<{ items: ItemBody[] }>(
        await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/content?status=failed&limit=500" }),
      );
      const failedIds = new Set(failed.items.map((i) => i.id));
      for (const { c, id } of accepted)
        if (!c.trailerOnly) assert.ok(failedIds.has(id), `${c.label} (item ${id}) is not listed as failed`);
    });

    it("a PNG cut inside its header is refused with a reason, not a message ending in a colon", async () => {
      for (const length of [8, 20, 30]) {
        const r = await submitParts([
          { name: "image", filename: "cut.png", type: "image/png", data: png.subarray(0, length) },
        ]);
        assertError(r, 400, /^(truncated|corrupt) image: /);
        assert.doesNotMatch(json<ErrorBody>(r).error.message, /:\s*$/, `cut at ${length} bytes`);
      }
    });

    it("a PNG declaring 50,000 x 50,000 pixels is refused from its header with a message about pixels", async () => {
      const started = Date.now();
      const r = await submitParts([
        { name: "image", filename: "bomb.png", type: "image/png", data: pngDeclaring(50_000, 50_000) },
      ]);
      assert.ok([400, 413].includes(r.statusCode), `HTTP ${r.statusCode}: ${r.body.slice(0, 300)}`);
      assertError(r, r.statusCode, /pixels/, /50000x50000/);
      assert.ok(Date.now() - started < 5000, "refused without decoding");
    });

    it("the pixel-limit answer does not point at a command-line flag the server lacks", async () => {
      const r = await submitParts([
        { name: "image", filename: "bomb.png", type: "image/png", data: pngDeclaring(50_000, 50_000) },
      ]);
      assertError(r, 413, /pixels/);
      assert.doesNotMatch(json<ErrorBody>(r).error.message, /--max-pixels/);
    });

    it("a file that is not an image, sent as image, is a 400 naming the format problem", async () => {
      const notImages: [string, string | Buffer][] = [
        ["page.html", "<html><body>not a picture</body></html>\n"],
        ["doc.pdf", "%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"],
        ["bytes.bin", Buffer.from([0x00, 0x01, 0x02, 0x03])],
        ["vector.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'],
      ];
      for (const [filename, data] of notImages) {
        const r = await submitParts([{ name: "image", filename, type: "image/png", data }]);
        const e = assertError(r, 400, /format/);
        assert.equal(e.code, "image.unsupported_format", filename);
      }
    });

    it("a file part named anything but image or video is a 400 naming the expected names", async () => {
      const r = await submitParts([{ name: "file", filename: "a.jpg", type: "image/jpeg", data: jpeg }]);
      assertError(r, 400, /file part "file"/, /"image" or "video"/);
    });

    it("multipart without any file part is a 400 naming the expected parts", async () => {
      const r = await submitParts([{ name: "content_id", data: "c-1" }]);
      assertError(r, 400, /missing the file part/, /"image" or "video"/);
    });

    it("multipart with an unknown field, or with a url field as well as the file, is a 400", async () => {
      const unknown = await submitParts([
        { name: "colour", data: "red" },
        { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
      ]);
      assertError(unknown, 400, /unknown field "colour"/);
      const several = await submitParts([
        { name: "url", data: "https://example.com/a" },
        { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
      ]);
      assertError(several, 400, /not several/);
      const when = await submitParts([
        { name: "posted_at", data: "whenever" },
        { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
      ]);
      assertError(when, 400, /^posted_at: not a date/);
    });

    it("two file parts are refused, never a 500", async () => {
      for (const second of ["image", "video"]) {
        const r = await submitParts([
          { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
          { name: second, filename: "b.bin", type: "image/jpeg", data: jpeg },
        ]);
        assert.ok(r.statusCode >= 400 && r.statusCode < 500, `HTTP ${r.statusCode}: ${r.body.slice(0, 300)}`);
      }
    });

    it("two file parts are a 400 saying to send exactly one", async () => {
      const r = await submitParts([
        { name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg },
        { name: "image", filename: "b.jpg", type: "image/jpeg", data: jpeg },
      ]);
      assertError(r, 400, /exactly one file part/);
    });

    it("a multipart Content-Type without a boundary is a 400, not a 500", async () => {
      const r = await submit({ headers: { "content-type": "multipart/form-data" }, payload: "whatever" });
      assertError(r, 400, /multipart/i, /boundary/i);
    });

    it("a multipart body cut off inside the file part is a 400, not a 500", async () => {
      const boundary = "----rasd-bad-input-boundary";
      const body = handMultipart(
        boundary,
        [{ name: "image", filename: "a.jpg", type: "image/jpeg", data: jpeg }],
        false,
      );
      const cut = body.subarray(0, body.length - 100);
      const r = await submit({
        headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
        payload: cut,
      });
      assertError(r, 400, /multipart/i);
    });

    it("a hand-written multipart body with the right boundary is accepted", async () => {
      const boundary = "rasd-hand-made-42";
      const payload = handMultipart(boundary, [
        { name: "author_id", data: "author-7" },
        { name: "image", filename: "a.png", type: "image/png", data: png },
      ]);
      const r = await submit({ headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, payload });
      assertAccepted(r);
    });

    it("garbage sent as video is accepted (no header check), then ends failed with a precise error", async () => {
      const a = assertAccepted(
        await submitParts([{ name: "video", filename: "v.mp4", type: "video/mp4", data: "not a video at all" }]),
      );
      await t.drain();
      const item = await getItem(a.id);
      assert.equal(item.status, "failed");
      assert.match(String(item.error), /not a video/);
    });
  });

  describe("query strings and path ids", () => {
    it("GET /v1/content?limit=abc is a 400 naming limit", async () => {
      const r = await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/content?limit=abc" });
      assertError(r, 400, /querystring\.limit/, /integer/);
      for (const q of ["limit=0", "limit=501", "limit=-1", "limit=1.5"]) {
        const o = await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content?${q}` });
        assertError(o, 400, /querystring\.limit/);
      }
      const s = await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/content?status=nope" });
      assertError(s, 400, /querystring\.status/, /must be one of/);
    });

    it("an unknown query parameter is a 400 naming it", async () => {
      const r = await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/content?foo=1" });
      assertError(r, 400, /unknown field "foo"/);
    });

    it("ids that are not ids are a 404, not a 500", async () => {
      for (const id of ["abc", "0", "-1", "1.5", "1e3", "99999999999999999999", "%00", "%E2%80%AE1", "007"]) {
        const r = await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${id}` });
        assertError(r, 404, /no such content item/);
      }
      for (const id of ["abc", "99999999999999999999"]) {
        const r = await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/banks/${id}` });
        assertError(r, 404, /no such bank/);
      }
    });

    it("another organisation's item is a 404, as if it did not exist", async () => {
      const a = assertAccepted(await submitJson({ text: "org A only" }));
      const r = await t.call(t.keys.b.submitter, { method: "GET", url: `/v1/content/${a.id}` });
      assertError(r, 404, /no such content item/);
    });
  });
});

describe("HTTP rate limits", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ rateLimit: 5, workers: false });
  });
  after(async () => {
    await t?.close();
  });

  it("past the burst (twice the rate) one key gets 429 with Retry-After while other keys still get 200", async () => {
    const codes: number[] = [];
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 20 && !limited; i++) {
      const r = await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/content" });
      codes.push(r.statusCode);
      if (r.statusCode === 429) limited = r;
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(200), `the burst of 10 is allowed: ${codes.join(" ")}`);
    assert.ok(limited, `no 429 in ${codes.length} quick requests: ${codes.join(" ")}`);
    assertError(limited, 429, /rate limit of 5 requests\/s for this key exceeded/);
    const retryAfter = Number(limited.headers["retry-after"]);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1,
      `retry-after: ${String(limited.headers["retry-after"])}`,
    );
    // Other keys, in the same organisation and in another, are not affected.
    for (const key of [t.keys.a.reader, t.keys.b.submitter]) {
      const r = await t.call(key, { method: "GET", url: "/v1/content" });
      assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    }
    // A refused POST is refused before its body is looked at, and stores nothing.
    const post = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      headers: { ...JSON_TYPE, "idempotency-key": freshKey() },
      payload: JSON.stringify({ text: "rate limited" }),
    });
    if (post.statusCode === 429) {
      const list = json<{ items: ItemBody[] }>(await t.call(t.keys.a.reader, { method: "GET", url: "/v1/content" }));
      assert.equal(list.items.length, 0, "a 429 stores nothing");
    }
  });
});
