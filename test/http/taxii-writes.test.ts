/**
 * TAXII 2.1 writes (issue 17): POST objects into a collection of the caller's own organisation
 * (Indicators become signals, revoked ones retract, other objects fail one by one), the status
 * resource read back by its organisation only; another organisation's collection, a reader's
 * key and a body that is not an envelope are refused.
 */

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { collectionId } from "../../src/services/taxii.js";
import { json, startTestService, type TestService } from "../support/service.js";

const TAXII = "application/taxii+json;version=2.1";
const MD5 = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
const DOMAIN = "written.example";

const indicator = (id: string, pattern: string, extra: Record<string, unknown> = {}) => ({
  type: "indicator",
  spec_version: "2.1",
  id: `indicator--${id}`,
  created: "2026-12-01T00:00:00.000Z",
  modified: "2026-12-01T00:00:00.000Z",
  pattern,
  pattern_type: "stix",
  valid_from: "2026-12-01T00:00:00.000Z",
  ...extra,
});

describe("TAXII 2.1 add objects and status", () => {
  let t: TestService;
  let bankId = 0;
  let collection = "";

  before(async () => {
    t = await startTestService({ workers: false });
    bankId = (await t.s.banks.createBank({ orgId: t.orgs.a.id, name: "taxii-in", tlp: "GREEN" })).id;
    collection = collectionId(bankId);
  });
  after(async () => {
    await t?.close();
  });

  const post = (key: string, body: unknown, id = collection) =>
    t.call(key, {
      method: "POST",
      url: `/taxii2/api/collections/${id}/objects/`,
      headers: { "content-type": TAXII, accept: TAXII },
      payload: JSON.stringify(body),
    });
  const held = async (type: "md5" | "domain", value: string) =>
    (await t.s.store.findSignals(type, value)).filter((s) => s.bankId === bankId && s.status === "active").length;

  test("Indicators land, a revoked one retracts, others fail; the status reads back", async () => {
    const listed = json<{ collections: { id: string; can_write: boolean }[] }>(
      await t.call(t.keys.a.curator, { method: "GET", url: "/taxii2/api/collections/" }),
    );
    assert.equal(listed.collections.find((c) => c.id === collection)?.can_write, true);
    const byOther = json<{ collections: { id: string; can_write: boolean }[] }>(
      await t.call(t.keys.b.curator, { method: "GET", url: "/taxii2/api/collections/" }),
    );
    assert.equal(byOther.collections.find((c) => c.id === collection)?.can_write, false);

    const r = await post(t.keys.a.curator, {
      objects: [
        indicator("11111111-1111-4111-8111-111111111111", `[file:hashes.MD5 = '${MD5}']`),
        indicator("22222222-2222-4222-8222-222222222222", `[domain-name:value = '${DOMAIN}']`),
        indicator("33333333-3333-4333-8333-333333333333", "[ipv4-addr:value = '10.0.0.1']"),
        { type: "malware", id: "malware--44444444-4444-4444-8444-444444444444", modified: "2026-12-01T00:00:00.000Z" },
      ],
    });
    assert.equal(r.statusCode, 202, r.body);
    assert.match(String(r.headers["content-type"]), /application\/taxii\+json/);
    const status = json<{
      id: string;
      status: string;
      total_count: number;
      success_count: number;
      failure_count: number;
      failures: { id: string; message: string }[];
    }>(r);
    assert.equal(status.status, "complete");
    assert.equal(status.total_count, 4);
    assert.equal(status.success_count, 2);
    assert.equal(status.failure_count, 2);
    assert.ok(
      status.failures.some((f) => f.id.startsWith("malware--") && /Indicators and Opinions only/.test(f.message)),
    );
    assert.equal(await held("md5", MD5), 1);
    assert.equal(await held("domain", DOMAIN), 1);

    const again = await t.call(t.keys.a.reader, { method: "GET", url: `/taxii2/api/status/${status.id}/` });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(json(again), json(r));
    const otherOrg = await t.call(t.keys.b.admin, { method: "GET", url: `/taxii2/api/status/${status.id}/` });
    assert.equal(otherOrg.statusCode, 404, "a status is its organisation's");

    const revoked = await post(t.keys.a.curator, {
      objects: [
        indicator("22222222-2222-4222-8222-222222222222", `[domain-name:value = '${DOMAIN}']`, {
          modified: "2026-12-02T00:00:00.000Z",
          revoked: true,
        }),
      ],
    });
    assert.equal(revoked.statusCode, 202);
    assert.equal(await held("domain", DOMAIN), 0, "a revoked Indicator retracts");
  });

  test("refused: another organisation's collection, a reader, not an envelope", async () => {
    const body = {
      objects: [indicator("55555555-5555-4555-8555-555555555555", `[file:hashes.MD5 = '${"6".repeat(32)}']`)],
    };
    assert.equal((await post(t.keys.b.curator, body)).statusCode, 403, "B sees A's GREEN bank but may not write it");
    assert.equal((await post(t.keys.a.reader, body)).statusCode, 403, "a reader may not write");
    const notEnvelope = await post(t.keys.a.curator, { indicators: [] });
    assert.equal(notEnvelope.statusCode, 400);
    assert.match(notEnvelope.body, /envelope/);
    assert.equal((await post(t.keys.a.curator, body, "00000000-0000-4000-8000-000000000000")).statusCode, 404);
    assert.equal(await held("md5", "6".repeat(32)), 0);
  });
});
