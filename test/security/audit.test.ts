/**
 * The audit log (issue 15, item 11): refused requests are recorded — aggregated, so a flood
 * is two entries, not one per request — and the log is hash-chained: an entry edited with raw
 * SQL is found by GET /v1/audit/verify and by `rasd audit verify`, naming the entry.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildApp } from "../../src/http/app.js";
import { json, NO_LIMITS, startTestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";
import { REPO_ROOT } from "../support/shared.js";
import { openStores } from "../../src/storage/open.js";
import { auditHash } from "../../src/core/audit-chain.js";

const until = async (check: () => Promise<boolean>, what: string) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
};

test("refusals are audited: one entry at once, the repeats as one summary, with who and from where", async () => {
  const t = await startTestService({ workers: false });
  const app = await buildApp({
    access: t.s.access,
    routes: t.routes,
    rateLimits: NO_LIMITS, // 50 wrong keys from one address would else meet the failed-auth limit
    refusalAudit: { windowMs: 300 },
  });
  try {
    const call = (key: string | undefined, url: string) =>
      app.inject({ method: "GET", url, headers: key ? { authorization: `Bearer ${key}` } : {} });
    for (let i = 0; i < 50; i++) assert.equal((await call("rasd_wrong_key", "/v1/me")).statusCode, 401);
    assert.equal((await call(t.keys.b.submitter, "/v1/audit")).statusCode, 403);
    assert.equal((await call(t.keys.b.submitter, "/v1/audit")).statusCode, 403);

    const anonymous = async () =>
      (await t.s.access.store.auditChain(0, 0, 1000)).filter((e) => e.action.startsWith("request.refused"));
    await until(async () => (await anonymous()).length === 2, "the 401 summary");
    const [first, summary] = await anonymous();
    assert.equal(first!.action, "request.refused");
    assert.equal(first!.actor, "anonymous");
    assert.equal(first!.target, "route:GET /v1/me");
    assert.deepEqual(JSON.parse(first!.detail), { status: 401, code: "auth.invalid" });
    assert.equal(summary!.action, "request.refused.repeated");
    assert.equal(JSON.parse(summary!.detail).repeats, 49);

    const ofB = async () =>
      (await t.s.access.store.listAudit(t.orgs.b.id, { limit: 100 })).filter((e) => e.action.startsWith("request."));
    await until(async () => (await ofB()).length === 2, "B's 403 entries");
    const [repeated, forbidden] = await ofB(); // newest first
    assert.equal(forbidden!.personId, t.people.b.submitter);
    assert.deepEqual(forbidden!.detail, { status: 403, code: "auth.forbidden" });
    assert.match(forbidden!.actor, /submitter/);
    assert.equal(repeated!.detail.repeats, 1);
  } finally {
    await app.close();
    await t.close();
  }
});

test("at most maxKinds refusal kinds are tracked; the rest are counted under one", async () => {
  const written: { source: string; action: string }[] = [];
  const { RefusalAudit } = await import("../../src/http/refusal-audit.js");
  const audit = new RefusalAudit(
    async (e) => {
      written.push({ source: e.source, action: e.action });
    },
    { windowMs: 60_000, maxKinds: 3 },
  );
  for (let i = 0; i < 100; i++)
    audit.record(
      { method: "GET", url: "/v1/me", ip: `10.0.0.${i}`, routeOptions: { url: "/v1/me" } } as never,
      { status: 401, code: "auth.invalid" },
      undefined,
    );
  await audit.flush();
  assert.deepEqual(
    written.map((w) => `${w.action} ${w.source}`),
    [
      "request.refused 10.0.0.0",
      "request.refused 10.0.0.1",
      "request.refused 10.0.0.2",
      "request.refused many sources",
      "request.refused.repeated many sources",
    ],
  );
});

test("an entry edited with raw SQL: GET /v1/audit/verify and `rasd audit verify` name it", async () => {
  const t = await startTestService({ workers: false });
  try {
    for (const name of ["one", "two", "three"])
      assert.equal(
        (await t.call(t.keys.a.curator, { method: "POST", url: "/v1/banks", payload: { name: `audited-${name}` } }))
          .statusCode,
        201,
      );
    const ok = json<{ ok: boolean; chains: { orgId: number; entries: number }[] }>(
      await t.call(t.keys.a.admin, { method: "GET", url: "/v1/audit/verify" }),
    );
    assert.equal(ok.ok, true);
    assert.deepEqual(
      ok.chains.map((c) => c.orgId),
      [t.orgs.a.id],
      "an admin checks its own organisation's chain",
    );
    assert.ok(ok.chains[0]!.entries >= 3);

    const victim = (await t.s.access.store.listAudit(t.orgs.a.id, { limit: 100 })).find(
      (e) => e.action === "bank.create" && e.detail.name === "audited-two",
    )!;
    await rawDb(t.s)
      .updateTable("audit_log")
      .set({ detail: JSON.stringify({ name: "something else" }) })
      .where("id", "=", victim.id)
      .execute();

    const bad = json<{ ok: boolean; chains: { orgId: number; broken?: { entryId: number; reason: string } }[] }>(
      await t.call(t.keys.a.admin, { method: "GET", url: "/v1/audit/verify" }),
    );
    assert.equal(bad.ok, false);
    assert.equal(bad.chains[0]!.broken?.entryId, victim.id);
    assert.match(bad.chains[0]!.broken!.reason, /changed after it was written/);
    // B's admin checks B's chain, which holds; the operator checks every chain and sees A's break.
    const b = json<{ ok: boolean }>(await t.call(t.keys.b.admin, { method: "GET", url: "/v1/audit/verify" }));
    assert.equal(b.ok, true);
    const all = json<{ ok: boolean; chains: { orgId: number | null }[] }>(
      await t.call(t.keys.c.operator, { method: "GET", url: "/v1/audit/verify" }),
    );
    assert.equal(all.ok, false);
    assert.ok(
      all.chains.some((c) => c.orgId === t.orgs.a.id),
      "the operator checks other organisations' chains",
    );
    assert.equal((await t.call(t.keys.a.curator, { method: "GET", url: "/v1/audit/verify" })).statusCode, 403);
  } finally {
    await t.close();
  }
});

test("`rasd audit verify`: exit 0 and each chain's head when whole; exit 1 naming the edited entry", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-audit-cli-"));
  const data = join(dir, "data");
  const rasd = (...args: string[]) =>
    spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], { cwd: REPO_ROOT, encoding: "utf8" });
  try {
    assert.equal(rasd("org", "create", "Audited", "--kind", "ngo").status, 0);
    for (const role of ["reader", "curator"])
      assert.equal(rasd("key", "create", "--org", "Audited", "--role", role).status, 0);
    const whole = rasd("audit", "verify");
    assert.equal(whole.status, 0, whole.stderr);
    const head = /Audited: 2 entries, unbroken, head (2:[0-9a-f]{64})/.exec(whole.stdout)?.[1];
    assert.ok(head, whole.stdout);

    const stores = await openStores(`sqlite:${join(data, "rasd.db")}`);
    const [, second] = await stores.access.auditChain(1, 0, 10);
    await stores.close();
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(data, "rasd.db"));
    db.prepare("update audit_log set actor = 'someone else' where id = ?").run(second!.id);

    const broken = rasd("audit", "verify");
    assert.equal(broken.status, 1);
    assert.match(
      broken.stdout,
      new RegExp(`Audited: BROKEN at entry ${second!.id} \\(number 2\\): entry ${second!.id} was changed`),
    );

    // A rewrite from that entry on, hashes and head recomputed, passes the chain check; the
    // head recorded earlier shows it.
    const rehash = auditHash(second!.prevHash, { ...second!, actor: "someone else" });
    db.prepare("update audit_log set hash = ? where id = ?").run(rehash, second!.id);
    db.prepare("update audit_chain_heads set hash = ? where chain = 1").run(rehash);
    db.close();
    assert.equal(rasd("audit", "verify").status, 0);
    const expect = rasd("audit", "verify", "--org", "Audited", "--expect", head);
    assert.equal(expect.status, 1);
    assert.match(expect.stdout, /REWRITTEN: entry number 2 now has hash/);
    assert.equal(rasd("audit", "verify", "--expect", head).status, 2, "--expect needs --org");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
