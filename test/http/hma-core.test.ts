/**
 * HMA's core routes beside its API (/livez, /readyz, /site-map, /openapi/openapi.json), and
 * a path that exists answering a method it does not take with 405 and Allow — in HMA's words
 * on HMA's paths, in rasd's elsewhere — while an unknown path stays 404.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { json, startTestService, type TestService } from "../support/service.js";

let t: TestService;
before(async () => {
  t = await startTestService({ workers: false });
});
after(async () => {
  await t?.close();
});

test("/livez and /readyz answer HMA's plain words, without a key", async () => {
  const live = await t.call(undefined, { method: "GET", url: "/livez" });
  assert.deepEqual([live.statusCode, live.body], [200, "OK"]);
  assert.match(String(live.headers["content-type"]), /^text\/plain/);
  const ready = await t.call(undefined, { method: "GET", url: "/readyz" });
  assert.deepEqual([ready.statusCode, ready.body], [200, "READY"]);
});

test("/site-map lists every route once, sorted, in Flask's <param> syntax; the OpenAPI document is where HMA keeps it", async () => {
  const r = await t.call(undefined, { method: "GET", url: "/site-map" });
  assert.equal(r.statusCode, 200);
  const paths = json<string[]>(r);
  assert.deepEqual(paths, [...new Set(paths)].sort());
  for (const p of ["/c/bank/<bank_name>/content/<content_id>", "/m/lookup", "/h/hash", "/v1/changes", "/site-map"])
    assert.ok(paths.includes(p), `${p} in /site-map`);
  assert.ok(!paths.some((p) => p.includes(":")), "no fastify :param left");
  const doc = await t.call(undefined, { method: "GET", url: "/openapi/openapi.json" });
  assert.equal(doc.statusCode, 200);
  assert.equal(json<{ openapi: string }>(doc).openapi, "3.1.0");
  assert.equal(json<{ info: { title: string } }>(doc).info.title, "Open Media Match API", "HMA's title at HMA's path");
  const own = await t.call(undefined, { method: "GET", url: "/openapi.json" });
  assert.notEqual(json<{ info: { title: string } }>(own).info.title, "Open Media Match API");
});

test("a wrong method on a path that exists is 405 with Allow; an unknown path is 404", async () => {
  const hma = await t.call(t.keys.a.admin, { method: "DELETE", url: "/c/banks" });
  assert.equal(hma.statusCode, 405);
  assert.equal(hma.headers.allow, "GET, HEAD, POST");
  assert.deepEqual(json(hma), { message: "DELETE is not allowed on /c/banks; use GET, HEAD, POST" });

  const withParam = await t.call(t.keys.a.admin, { method: "POST", url: "/c/bank/ANY_BANK" });
  assert.equal(withParam.statusCode, 405);
  assert.equal(withParam.headers.allow, "DELETE, GET, HEAD, PUT");

  const own = await t.call(t.keys.a.admin, { method: "PUT", url: "/v1/changes?cursor=0" });
  assert.equal(own.statusCode, 405);
  assert.equal(json<{ error: { code: string } }>(own).error.code, "method_not_allowed");

  const unknown = await t.call(t.keys.a.admin, { method: "GET", url: "/v1/no-such-thing" });
  assert.equal(unknown.statusCode, 404);
  assert.equal(json<{ error: { code: string } }>(unknown).error.code, "not_found");
});
