/**
 * `serve` with the pipeline on a worker thread: the HTTP thread accepts, the worker thread
 * hashes, matches and acts, and /metrics merges both threads' figures.
 */

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { serve } from "../../src/server/serve.js";

test("serve with a pipeline thread: items are processed off the HTTP thread and metrics are merged", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-serve-"));
  const config = loadConfig({ data: dir, port: 0, pipelineThreads: 1 });
  let key = "";
  let operatorKey = "";
  const server = await serve(config, {
    pipelineThreads: 1,
    before: async (s) => {
      const org = await s.banks.createOrg("Platform", "platform");
      key = (await s.access.createKey(org, "admin", "ops")).token;
      operatorKey = (await s.access.createKey(org, "operator", "scraper")).token;
      const bank = await s.banks.createBank({ orgId: org.id, name: "links" });
      await s.banks.addSignals(bank.id, [{ line: 1, raw: { type: "domain", value: "justpaste.it" } }]);
    },
  });
  try {
    await server.ready;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const r = await fetch(`${server.url}/v1/content`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": "one" },
      body: JSON.stringify({ url: "https://justpaste.it/abc" }),
    });
    assert.equal(r.status, 202);
    const { id } = (await r.json()) as { id: number };
    let item: { status: string; matches: unknown[] } = { status: "", matches: [] };
    for (let i = 0; i < 200 && item.status !== "done"; i++) {
      await new Promise((res) => setTimeout(res, 25));
      item = (await (await fetch(`${server.url}/v1/content/${id}`, { headers })).json()) as typeof item;
    }
    assert.equal(item.status, "done");
    assert.equal(item.matches.length, 1);
    // The worker thread reports its metrics every second.
    let text = "";
    for (let i = 0; i < 40 && !/rasd_content_processed_total\{outcome="matched"\} 1/.test(text); i++) {
      await new Promise((res) => setTimeout(res, 100));
      text = await (
        await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${operatorKey}` } })
      ).text();
    }
    assert.match(text, /rasd_content_processed_total\{outcome="matched"\} 1/);
    assert.match(text, /rasd_content_submitted_total\{kind="url"\} 1/);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
