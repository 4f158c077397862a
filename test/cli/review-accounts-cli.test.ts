/**
 * `rasd review accounts ID --org --person`: the ban-evasion view of a review entry from the
 * command line — the same answer as GET /v1/reviews/:id/accounts (the submitted and the
 * suspended account, the evidence, score and threshold), only the person's organisation's
 * entries, and precise refusals.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { canonicalAccountJson, parseAccount } from "../../src/kernels/accounts/index.js";
import { loadDemo } from "../../src/server/demo.js";
import { closeServices, openServices, startWorkers } from "../../src/server/services.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-review-accounts-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", dir], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd review accounts", () => {
  let review = 0;
  before(async () => {
    const s = await openServices(loadConfig({ data: dir }, { RASD_SQLITE_SYNC: "OFF" }), { defaultMetrics: false });
    await loadDemo(s);
    const gov = (await s.store.getOrgByName("Sawab Center"))!;
    const platform = (await s.store.getOrgByName("Example Platform"))!;
    const bank = await s.banks.createBank({ orgId: gov.id, name: "suspended-accounts", tlp: "GREEN" });
    await s.banks.addSignals(bank.id, [
      {
        line: 1,
        raw: {
          type: "account",
          value: JSON.stringify({ platform: "twitter", handle: "GunsandCoffee70", name: "GunsandCoffee" }),
        },
      },
    ]);
    s.access.invalidate();
    const submitter = (await s.access.store.listPeople(platform.id)).find((p) => p.role === "submitter")!;
    await s.content.accept([
      {
        orgId: platform.id,
        personId: submitter.id,
        idempotencyKey: "returning-1",
        requestHash: "0".repeat(64),
        kind: "text",
        contentId: "post-returning-1",
        authorId: "2002",
        postedAt: null,
        mediaType: null,
        media: null,
        url: null,
        text: "back again",
        author: canonicalAccountJson(
          parseAccount({ platform: "twitter", handle: "_GunsandCoffee_2", name: "GunsandCoffee" }),
        ),
        receivedAt: Date.now(),
      },
    ]);
    await startWorkers(s);
    for (let i = 0; i < 600; i++) {
      const counts = await s.jobs.counts();
      if (!Object.entries(counts).some(([k, n]) => k.startsWith("content.") && !k.endsWith(".dead") && n > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await closeServices(s);
  });

  it("shows the two accounts with the evidence, the score and the threshold", () => {
    const list = rasd(["review", "list", "--org", "Example Platform", "--limit", "100"]);
    assert.equal(list.status, 0, list.stderr);
    for (const line of list.stdout.trim().split("\n")) {
      const id = (JSON.parse(line) as { id: number }).id;
      const r = rasd(["review", "accounts", String(id), "--org", "Example Platform", "--person", "demo-reviewer"]);
      assert.equal(r.status, 0, r.stderr);
      const v = JSON.parse(r.stdout) as {
        submitted: { handle: string } | null;
        matches: { account: { handle: string }; score: number; threshold: number; evidence: { kind: string }[] }[];
      };
      if (v.matches.length === 0) continue;
      review = id;
      assert.equal(v.submitted?.handle, "_GunsandCoffee_2");
      assert.equal(v.matches[0]!.account.handle, "GunsandCoffee70");
      assert.equal(v.matches[0]!.threshold, 0.8);
      assert.ok(v.matches[0]!.score >= 0.8);
      assert.ok(v.matches[0]!.evidence.some((e) => e.kind === "handle"));
    }
    assert.ok(review > 0, "an entry with a ban-evasion match");
  });

  it("refuses another organisation's entry, a non-reviewer and a bad id", () => {
    const other = rasd(["review", "accounts", String(review), "--org", "Sawab Center", "--person", "demo-admin"]);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /no such review entry/);
    const reader = rasd([
      "review",
      "accounts",
      String(review),
      "--org",
      "Example Platform",
      "--person",
      "demo-submitter",
    ]);
    assert.notEqual(reader.status, 0);
    assert.match(reader.stderr, /only a reviewer or an admin/);
    const bad = rasd(["review", "accounts", "x1", "--org", "Example Platform", "--person", "demo-reviewer"]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /review entry id: "x1" is not a number/);
  });
});
