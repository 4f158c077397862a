/** `rasd webhook`: list endpoints, enable a disabled one, rotate a rule's webhook secret. */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-webhook-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd webhook", () => {
  let ruleId = 0;
  let endpointId = 0;
  const old = "whsec_" + Buffer.alloc(32, 4).toString("base64");

  before(async () => {
    const s = await openServices(loadConfig({ data }, {}), { workers: false, defaultMetrics: false });
    const org = await s.banks.createOrg("Platform A", "platform");
    ruleId = (
      await s.rules.create(org.id, {
        name: "hook",
        conditions: {},
        actions: [{ type: "webhook", url: "https://hooks.example.org/rasd", secret: old }],
      })
    ).id;
    const endpoint = { orgId: org.id, origin: "https://hooks.example.org" };
    const [disabled] = await s.stores.endpoints.recordOutcomes(
      [{ endpoint, ok: false, error: "HTTP 503", at: Date.now() }],
      { failures: 1, minMs: 0 },
    );
    endpointId = disabled!.id;
    await closeServices(s);
  });

  it("lists endpoints and enables a disabled one", () => {
    const listed = rasd(["webhook", "endpoints", "--org", "Platform A"]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(
      listed.stdout,
      new RegExp(`^${endpointId}\\tdisabled\\t.*\\t1\\thttps://hooks.example.org\\tHTTP 503\\n$`),
    );
    const enabled = rasd(["webhook", "enable", String(endpointId), "--org", "Platform A"]);
    assert.equal(enabled.status, 0, enabled.stderr);
    assert.match(enabled.stderr, /enabled; 0 held deliveries will go out/);
    assert.match(rasd(["webhook", "endpoints", "--org", "Platform A"]).stdout, /\tactive\t/);
    const missing = rasd(["webhook", "enable", "999", "--org", "Platform A"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no webhook endpoint with id 999/);
  });

  it("rotates a secret: the new one printed once, the old one kept for the overlap", async () => {
    const r = rasd([
      "webhook",
      "rotate-secret",
      "--org",
      "Platform A",
      "--rule",
      String(ruleId),
      "--overlap-hours",
      "2",
    ]);
    assert.equal(r.status, 0, r.stderr);
    const secret = r.stdout.trim();
    assert.match(secret, /^whsec_/);
    assert.match(r.stderr, /the old one also signs until/);
    const s = await openServices(loadConfig({ data }, {}), { workers: false, defaultMetrics: false });
    try {
      const a = (await s.rules.get(ruleId))!.actions[0]!;
      assert.ok(a.type === "webhook");
      assert.deepEqual([a.secret, a.previousSecret], [secret, old]);
      assert.ok(Math.abs(a.previousUntil! - Date.now() - 2 * 3_600_000) < 60_000);
    } finally {
      await closeServices(s);
    }
    const bad = rasd(["webhook", "rotate-secret", "--org", "Platform A", "--rule", String(ruleId), "--action", "4"]);
    assert.equal(bad.status, 2, "invalid input: a usage error");
    assert.match(bad.stderr, /has no webhook at actions\[4\]/);
  });
});
