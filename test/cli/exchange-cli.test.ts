/**
 * `rasd exchange`: add a `rasd` exchange pointing at a service listening on loopback, fetch
 * it, show it (credentials never printed), list it, update it (enable/disable, settings merged
 * and cleared, a bad one refused, credentials cleared), list the APIs, and delete it — the CLI in its own process on
 * its own data folder (needs dist/: npx tsc -p tsconfig.build.json).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { REPO_ROOT } from "../support/shared.js";
import { startTestService, type TestService } from "../support/service.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-exchange-cli-"));
const data = join(dir, "data");
const credentials = join(dir, "peer-key.json");

/** Runs the CLI without blocking this process, which serves the peer it fetches from. */
function rasd(args: string[], withData = true): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(join(REPO_ROOT, "bin/rasd"), withData ? [...args, "--data", data] : args, {
    cwd: REPO_ROOT,
    env: { ...process.env, RASD_EXCHANGE_ALLOW_PRIVATE: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

describe("rasd exchange", () => {
  let peer: TestService;
  let url = "";

  before(async () => {
    peer = await startTestService({ workers: false });
    await peer.app.listen({ host: "127.0.0.1", port: 0 });
    url = `http://127.0.0.1:${(peer.app.server.address() as AddressInfo).port}/`;
    const bank = await peer.s.banks.createBank({ orgId: peer.orgs.a.id, name: "shared", tlp: "GREEN" });
    await peer.s.banks.addSignals(bank.id, [
      { line: 1, raw: { type: "md5", value: "0123456789abcdef0123456789abcdef" } },
    ]);
    writeFileSync(credentials, JSON.stringify({ api_key: peer.keys.b.reader }), { mode: 0o600 });
    const s = await openServices(loadConfig({ data }, {}), { workers: false, defaultMetrics: false });
    await s.banks.createOrg("Platform A", "platform");
    await closeServices(s);
  });

  after(async () => {
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("adds, fetches, shows, lists and deletes an exchange", async () => {
    const added = await rasd([
      "exchange",
      "add",
      "PEER",
      "--org",
      "Platform A",
      "--api",
      "rasd",
      "--config",
      JSON.stringify({ url }),
      "--credentials-file",
      credentials,
      "--tlp",
      "green",
    ]);
    assert.equal(added.status, 0, added.stderr);
    const fetched = await rasd(["exchange", "fetch", "PEER", "--org", "Platform A"]);
    assert.equal(fetched.status, 0, fetched.stderr);
    const out = JSON.parse(fetched.stdout) as { report: { added: number }; status: { up_to_date: boolean } };
    assert.equal(out.report.added, 1);
    assert.equal(out.status.up_to_date, true);
    const shown = await rasd(["exchange", "show", "PEER", "--org", "Platform A"]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.ok(!shown.stdout.includes(peer.keys.b.reader), "credentials are never printed");
    assert.equal((JSON.parse(shown.stdout) as { has_credentials: boolean }).has_credentials, true);
    const listed = await rasd(["exchange", "list", "--org", "Platform A"]);
    assert.match(listed.stdout, /^PEER\trasd\tenabled\tup-to-date\t1\t/);
    const bad = await rasd(["exchange", "add", "lower", "--org", "Platform A", "--api", "rasd", "--config", "{}"]);
    assert.equal(bad.status, 2, "invalid input");
    assert.match(bad.stderr, /name: must match/);
    // update: disable, merge a setting, clear it with null, refuse a bad one by name, clear the key.
    const org = ["--org", "Platform A"];
    const show = async () =>
      JSON.parse((await rasd(["exchange", "show", "PEER", ...org])).stdout) as {
        enabled: boolean;
        api_json: Record<string, unknown>;
        has_credentials: boolean;
      };
    const disabled = await rasd([
      "exchange",
      "update",
      "PEER",
      ...org,
      "--disable",
      "--config",
      '{"interval_seconds":300}',
    ]);
    assert.equal(disabled.status, 0, disabled.stderr);
    let now = await show();
    assert.equal(now.enabled, false);
    assert.deepEqual(now.api_json, { url, interval_seconds: 300 });
    assert.equal(
      (await rasd(["exchange", "update", "PEER", ...org, "--config", '{"interval_seconds":null}'])).status,
      0,
    );
    assert.deepEqual((await show()).api_json, { url });
    const wrong = await rasd(["exchange", "update", "PEER", ...org, "--config", '{"interval_seconds":0}']);
    assert.equal(wrong.status, 2, "invalid input");
    assert.match(wrong.stderr, /api_json\.interval_seconds: must be a positive integer/);
    const nothing = await rasd(["exchange", "update", "PEER", ...org]);
    assert.equal(nothing.status, 2);
    assert.match(nothing.stderr, /nothing to change/);
    assert.equal((await rasd(["exchange", "update", "PEER", ...org, "--enable", "--clear-credentials"])).status, 0);
    now = await show();
    assert.equal(now.enabled, true);
    assert.equal(now.has_credentials, false);
    const apis = await rasd(["exchange", "apis"], false);
    assert.equal(apis.status, 0, apis.stderr);
    assert.match(apis.stdout, /^rasd\tsupported\turl\*,bank_id,interval_seconds,long_poll\tapi_key\*\t/m);
    assert.match(apis.stdout, /^ncmec\tnot-supported\t/m);
    const deleted = await rasd(["exchange", "delete", "PEER", "--org", "Platform A"]);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal((await rasd(["exchange", "list", "--org", "Platform A"])).stdout, "");
  });
});
