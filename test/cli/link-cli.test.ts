/**
 * `rasd link` and `rasd domains`: the CLI in its own process on its own data folder, against
 * a real HTTP server on loopback (RASD_LINK_ALLOW_PRIVATE=1, the test-only allow-list):
 * expand a redirecting link with every hop matched, check banked links (one goes 410),
 * show their status and history, and manage a member's domains. Without the allow-list the
 * loopback link is refused. Needs dist/ (npx tsc -p tsconfig.build.json).
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { answer, startLinkHost, type LinkHost } from "../support/link-hosts.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-link-cli-"));
const data = join(dir, "data");

/** Runs the CLI without blocking this process, which serves the host it fetches from. */
function rasd(
  args: string[],
  env: Record<string, string> = { RASD_LINK_ALLOW_PRIVATE: "1" },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], {
    cwd: REPO_ROOT,
    env: { ...process.env, RASD_LINK_HOST_GAP_MS: "0", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

describe("rasd link and rasd domains", () => {
  let host: LinkHost;
  let base = "";

  before(async () => {
    host = await startLinkHost("127.0.0.1", (req, res) => {
      if (req.url === "/short") return answer(302, { location: "/file" })(req, res);
      if (req.url === "/file") return answer(200)(req, res);
      answer(410)(req, res);
    });
    base = `127.0.0.1:${host.port}`;
    const s = await openServices(loadConfig({ data }, {}), { workers: false, defaultMetrics: false });
    const org = await s.banks.createOrg("Files Host", "platform");
    const bank = await s.banks.createBank({ orgId: org.id, name: "links", tlp: "GREEN" });
    await s.banks.addSignals(bank.id, [
      { line: 1, raw: { type: "url", value: `http://${base}/file` } },
      { line: 2, raw: { type: "url", value: `http://${base}/gone` } },
    ]);
    await closeServices(s);
  });
  after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("expands a link hop by hop and matches the hop behind the redirect", async () => {
    const r = await rasd(["link", "expand", `http://${base}/short`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^HEAD\t302\t\d+ ms\thttp:\/\/127\.0\.0\.1:\d+\/short -> http:\/\/127\.0\.0\.1:\d+\/file$/m);
    assert.match(r.stdout, /^match\thttp:\/\/127\.0\.0\.1:\d+\/file\tsignal \d+\tbank \d+\turl$/m);
    assert.match(r.stdout, /^final: http:\/\/127\.0\.0\.1:\d+\/file$/m);
    const refused = await rasd(["link", "expand", `http://${base}/short`], {});
    assert.equal(refused.status, 0);
    assert.match(refused.stdout, /not a public address/);
    assert.match(refused.stdout, /^stopped: /m);
  });

  it("checks banked links and shows their status and history", async () => {
    const r = await rasd(["link", "check"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /enrolled 2 banked URLs/);
    assert.match(r.stderr, /checked 2 links due/);
    const status = await rasd(["link", "status"]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /\tonline\t200\t.*\t-\t127\.0\.0\.1:\d+\/file$/m);
    assert.match(status.stdout, /\tremoved\t410\t.*\t20\d\d-.*\t127\.0\.0\.1:\d+\/gone$/m);
    const removed = await rasd(["link", "status", "--status", "removed"]);
    assert.equal(removed.stdout.trim().split("\n").length, 1);
    const history = await rasd(["link", "status", "--url", `${base}/gone`]);
    // The canonical URL has no scheme: https is tried first, then http (every request recorded).
    assert.match(
      history.stdout,
      /^ {2}20\d\d-\S+\tremoved\tHTTP 410\tHEAD - https:\/\/127\.0\.0\.1.* \| HEAD 410 http:\/\/127\.0\.0\.1/m,
    );
    const again = await rasd(["link", "check", "--url", `${base}/file`]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /\tonline\t200\t/);
    const bad = await rasd(["link", "status", "--status", "gone"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--status: expected one of unchecked, online, removed, error/);
  });

  it("manages a member's domains", async () => {
    assert.equal(
      (await rasd(["domains", "add", "WWW.Files.Example", "--org", "Files Host"])).stdout,
      "files.example\n",
    );
    const list = await rasd(["domains", "list"]);
    assert.match(list.stdout, /^files\.example\tFiles Host\t/m);
    const bad = await rasd(["domains", "add", "not a domain", "--org", "Files Host"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /domain: not a domain name/);
    assert.equal((await rasd(["domains", "remove", "files.example", "--org", "Files Host"])).status, 0);
    assert.equal((await rasd(["domains", "list", "--org", "Files Host"])).stdout, "");
    const missing = await rasd(["domains", "remove", "files.example", "--org", "Files Host"]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /not on Files Host's list/);
  });
});
