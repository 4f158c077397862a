/**
 * A declaration's multipart limits (issue 20): more files than a declaration takes, more than
 * the parser counts, too many text fields, a file over the upload limit — each refused with
 * the API's error JSON saying how many were sent, the limit and which field, and nothing
 * declared. Ten files are taken.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { MAX_DECLARE_FILES } from "../../src/core/incidents.js";
import { buildApp } from "../../src/http/app.js";
import { detailedPng } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

interface ErrorBody {
  error: { code: string; message: string };
}

interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly data: Uint8Array | string;
}

/** A multipart/form-data body as bytes plus its Content-Type, via FormData. */
async function multipart(parts: readonly Part[]): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const p of parts)
    if (p.filename === undefined) form.append(p.name, String(p.data));
    else form.append(p.name, new Blob([p.data], { type: "image/png" }), p.filename);
  const req = new Request("http://rasd.invalid/v1/incidents", { method: "POST", body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { "content-type": req.headers.get("content-type")! },
  };
}

function assertError(r: LightMyRequestResponse, status: number, ...patterns: RegExp[]): void {
  assert.equal(r.statusCode, status, r.body.slice(0, 400));
  const body = json<ErrorBody>(r);
  assert.equal(typeof body.error.code, "string");
  for (const p of patterns) assert.match(body.error.message, p);
}

const FIELDS: Part[] = [
  { name: "tier", data: "1" },
  { name: "title", data: "Attack livestream" },
];

describe("declaring an incident: multipart limits said precisely", () => {
  let t: TestService;
  let png: Buffer;

  before(async () => {
    t = await startTestService({ workers: false });
    png = await detailedPng(7, 64);
  });
  after(async () => {
    await t.close();
  });

  const declare = async (parts: Part[], app?: FastifyInstance) => {
    const m = await multipart(parts);
    const inject = app
      ? app.inject({
          method: "POST",
          url: "/v1/incidents",
          payload: m.payload,
          headers: { ...m.headers, authorization: `Bearer ${t.keys.b.admin}` },
        })
      : t.call(t.keys.b.admin, { method: "POST", url: "/v1/incidents", payload: m.payload, headers: m.headers });
    return inject;
  };
  const incidents = async () =>
    json<{ incidents: unknown[] }>(await t.call(t.keys.b.admin, { method: "GET", url: "/v1/incidents" })).incidents
      .length;

  it(`${MAX_DECLARE_FILES + 3} files: 400 saying how many were sent, the limit and the field; nothing declared`, async () => {
    const files = Array.from({ length: MAX_DECLARE_FILES + 3 }, (_, i) => ({
      name: "image",
      filename: `still-${i}.png`,
      data: png,
    }));
    const r = await declare([...FIELDS, ...files]);
    assertError(
      r,
      400,
      new RegExp(
        `^image/video: ${MAX_DECLARE_FILES + 3} files were sent; a declaration takes at most ${MAX_DECLARE_FILES}`,
      ),
      /POST \/v1\/incidents\/\{id\}\/artefacts/,
    );
    assert.equal(json<ErrorBody>(r).error.code, "invalid");
    assert.equal(await incidents(), 0);
  });

  it("more files than the parser counts: 400 saying more than it counted", async () => {
    const files = Array.from({ length: 101 }, (_, i) => ({ name: "video", filename: `v-${i}.mp4`, data: "x" }));
    const r = await declare([...FIELDS, ...files]);
    assertError(r, 400, /^image\/video: more than 100 files were sent; a declaration takes at most 10/);
    assert.equal(await incidents(), 0);
  });

  it("too many text fields: 400 naming the limit", async () => {
    const signals = Array.from({ length: 45 }, (_, i) => ({ name: "url", data: `https://example.org/${i}` }));
    const r = await declare([...FIELDS, ...signals]);
    assertError(r, 400, /more than 40 text fields were sent; a declaration takes at most 40/);
    assert.equal(await incidents(), 0);
  });

  it("a file over the server's upload limit: 413 naming the file, its field and the limit", async () => {
    const app = await buildApp({ access: t.s.access, routes: t.routes, fileLimit: 4 * 1024 });
    try {
      const big = Buffer.concat([png, Buffer.alloc(8 * 1024, 1)]);
      const small = Buffer.from("tiny");
      const r = await declare(
        [...FIELDS, { name: "video", filename: "a.mp4", data: small }, { name: "image", filename: "b.png", data: big }],
        app,
      );
      assertError(
        r,
        413,
        /^file 2 \(image\): the image file is too large: over the server's upload limit of 4096 bytes/,
      );
      assert.equal(json<ErrorBody>(r).error.code, "file.too_large");
    } finally {
      await app.close();
    }
    assert.equal(await incidents(), 0);
  });

  it(`${MAX_DECLARE_FILES} files are taken`, async () => {
    const files = await Promise.all(
      Array.from({ length: MAX_DECLARE_FILES }, async (_, i) => ({
        name: "image",
        filename: `still-${i}.png`,
        data: await detailedPng(100 + i, 64),
      })),
    );
    const r = await declare([...FIELDS, ...files]);
    assert.equal(r.statusCode, 201, r.body.slice(0, 400));
    assert.equal(await incidents(), 1);
  });
});
