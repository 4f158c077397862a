/**
 * `serve` with a pipeline thread holds one PDQ index: the HTTP thread's, on shared memory,
 * which the pipeline thread searches as a replica. What the pipeline thread matches must
 * follow the HTTP thread's index — signals loaded at start, added later (in its write
 * buffer) and retracted — since the thread has no hashes of its own.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { serve } from "../../src/server/serve.js";
import { PDQ_INDEX } from "../../src/signals/types/pdq.js";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { detailedPng } from "../support/images.js";

function multipart(bytes: Buffer): { payload: Buffer; headers: Record<string, string> } {
  const boundary = "----rasdtest" + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="image"; filename="x.png"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

test("serve with a pipeline thread: one PDQ index, searched by the pipeline thread as a replica", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-serve-pdq-"));
  const config = loadConfig({ data: dir, port: 0, pipelineThreads: 1 });
  const images = await Promise.all([detailedPng(3), detailedPng(11)]);
  const hashes = await Promise.all(images.map(async (b) => (await pdqHashImageBytes(b)).hash));
  assert.notEqual(hashes[0], hashes[1]);
  let key = "";
  let bankId = 0;
  const server = await serve(config, {
    pipelineThreads: 1,
    before: async (s) => {
      const org = await s.banks.createOrg("Platform", "platform");
      key = (await s.access.createKey(org, "admin", "ops")).token;
      bankId = (await s.banks.createBank({ orgId: org.id, name: "images" })).id;
      // In the store before the load: in the index's bulk-built segment.
      await s.banks.addSignals(bankId, [{ line: 1, raw: { type: "pdq", value: hashes[0]! } }]);
    },
  });
  const headers = { authorization: `Bearer ${key}` };
  const submit = async (bytes: Buffer, n: number): Promise<{ status: string; matches: { type: string }[] }> => {
    const body = multipart(bytes);
    const r = await fetch(`${server.url}/v1/content`, {
      method: "POST",
      headers: { ...headers, ...body.headers, "idempotency-key": `img-${n}` },
      body: body.payload,
    });
    assert.equal(r.status, 202, await r.clone().text());
    const { id } = (await r.json()) as { id: number };
    let item = { status: "", matches: [] as { type: string }[] };
    for (let i = 0; i < 400 && item.status !== "done"; i++) {
      await new Promise((res) => setTimeout(res, 25));
      item = (await (await fetch(`${server.url}/v1/content/${id}`, { headers })).json()) as typeof item;
    }
    assert.equal(item.status, "done", JSON.stringify(item));
    return item;
  };
  try {
    await server.ready;
    const s = server.services;
    const index = s.matcher.indexOfKind(PDQ_INDEX);
    assert.equal(index.mode, "shared", "the HTTP thread's index is the shared one");
    assert.equal(index.size, 1);

    // Loaded at start: found by the pipeline thread through the replica.
    assert.equal((await submit(images[0]!, 1)).matches.filter((m) => m.type === "pdq").length, 1);
    // Not yet a signal: no match.
    assert.equal((await submit(images[1]!, 2)).matches.length, 0);
    // Added on the HTTP thread (its index's write buffer): the pipeline thread sees it.
    await s.banks.addSignals(bankId, [{ line: 1, raw: { type: "pdq", value: hashes[1]! } }]);
    assert.equal(index.size, 2);
    assert.equal((await submit(images[1]!, 3)).matches.filter((m) => m.type === "pdq").length, 1);
    // Retracted on the HTTP thread: the pipeline thread no longer matches it.
    const first = s.matcher.match("pdq", hashes[0]!).matches[0]!;
    await s.banks.retract(first.signalId);
    assert.equal((await submit(images[0]!, 4)).matches.length, 0);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
