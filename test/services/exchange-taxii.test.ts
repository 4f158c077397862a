/**
 * The `taxii` exchange against a loopback TAXII server that, like OASIS's medallion, hands out
 * `next` tokens it forgets (after 30 s, or on a restart) and answers 400 to a forgotten one:
 * the step pages again from the checkpoint's added_after instead of failing for ever. Other
 * refusals still fail the step.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { taxiiExchangeApi } from "../../src/services/exchanges/taxii.js";
import type { FetchContext } from "../../src/services/exchanges/api.js";

const indicator = (n: number, domain: string) => ({
  type: "indicator",
  spec_version: "2.1",
  id: `indicator--0000000${n}-0000-4000-8000-000000000000`,
  created: `2026-01-01T00:00:0${n}.000Z`,
  modified: `2026-01-01T00:00:0${n}.000Z`,
  valid_from: `2026-01-01T00:00:0${n}.000Z`,
  pattern: `[domain-name:value = '${domain}']`,
  pattern_type: "stix",
});

describe("taxii exchange: a next the server has forgotten", () => {
  let server: Server;
  let collection: string;
  const requests: string[] = [];
  const tokens = new Set<string>();
  let refuseWith = 0;

  before(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? "");
      const u = new URL(req.url ?? "/", "http://x");
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/taxii+json;version=2.1", ...headers });
        res.end(JSON.stringify(body));
      };
      if (refuseWith) return send(refuseWith, { title: "refused" });
      const next = u.searchParams.get("next");
      if (next !== null && !tokens.delete(next)) return send(400, { title: "ProcessingError", http_status: "400" });
      // Two pages after 2026-01-01T00:00:01Z: t2 and t3, then t4.
      if (next === null) {
        tokens.add("page-2");
        return send(
          200,
          { more: true, next: "page-2", objects: [indicator(2, "t2.example"), indicator(3, "t3.example")] },
          {
            "x-taxii-date-added-first": "2026-01-01T00:00:02.000Z",
            "x-taxii-date-added-last": "2026-01-01T00:00:03.000Z",
          },
        );
      }
      return send(
        200,
        { more: false, objects: [indicator(4, "t4.example")] },
        {
          "x-taxii-date-added-first": "2026-01-01T00:00:04.000Z",
          "x-taxii-date-added-last": "2026-01-01T00:00:04.000Z",
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    collection = `http://127.0.0.1:${(server.address() as AddressInfo).port}/taxii2/api/collections/c1/`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const step = (checkpoint: string | null) => {
    const ctx: FetchContext = {
      config: { collection_url: collection },
      credentials: null,
      checkpoint,
      http: { allowPrivate: true, timeoutMs: 5000, maxBytes: 1 << 20 },
    };
    return taxiiExchangeApi.fetchStep(ctx);
  };

  test("pages again from added_after, then pages on with the new token", async () => {
    requests.length = 0;
    const first = await step(JSON.stringify({ added_after: "2026-01-01T00:00:01.000Z", next: "forgotten" }));
    assert.deepEqual(
      requests.map((r) => new URL(r, "http://x").searchParams.get("next")),
      ["forgotten", null],
    );
    assert.deepEqual(
      first.items.map((i) => i.value),
      ["t2.example", "t3.example"],
    );
    assert.equal(first.more, true);
    assert.deepEqual(JSON.parse(first.checkpoint!), { added_after: "2026-01-01T00:00:01.000Z", next: "page-2" });
    const second = await step(first.checkpoint);
    assert.deepEqual(
      second.items.map((i) => i.value),
      ["t4.example"],
    );
    assert.equal(second.more, false);
    assert.deepEqual(JSON.parse(second.checkpoint!), { added_after: "2026-01-01T00:00:04.000Z" });
  });

  test("other refusals, and a 400 without a next, still fail the step", async () => {
    refuseWith = 401;
    await assert.rejects(step(JSON.stringify({ next: "forgotten" })), /answered HTTP 401/);
    refuseWith = 400;
    requests.length = 0;
    await assert.rejects(step(JSON.stringify({ added_after: "2026-01-01T00:00:01.000Z" })), /answered HTTP 400/);
    assert.equal(requests.length, 1, "no second try without a next to drop");
    refuseWith = 0;
  });
});
