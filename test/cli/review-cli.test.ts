/**
 * `rasd review list|claim|release` against a data directory holding the demo (its items
 * matched and queued for review): a claim leases the entry to one person, another person is
 * refused, release gives it back, the daily limit holds, and bad input is refused precisely.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { loadDemo } from "../../src/server/demo.js";
import { closeServices, openServices, startWorkers } from "../../src/server/services.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-review-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const ORG = "Example Platform";

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", dir], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (out: string) =>
  out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: number; claimed_by: number | null });

describe("rasd review", () => {
  before(async () => {
    const s = await openServices(loadConfig({ data: dir }, { RASD_SQLITE_SYNC: "OFF" }), { defaultMetrics: false });
    await loadDemo(s);
    await startWorkers(s);
    for (let i = 0; i < 600; i++) {
      const counts = await s.jobs.counts();
      if (!Object.entries(counts).some(([k, n]) => k.startsWith("content.") && !k.endsWith(".dead") && n > 0)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await closeServices(s);
  });

  it("lists, claims, refuses another person, releases", () => {
    const list = rasd(["review", "list", "--org", ORG, "--limit", "3"]);
    assert.equal(list.status, 0, list.stderr);
    const entries = lines(list.stdout);
    assert.equal(entries.length, 3);
    assert.match(list.stderr, /^review: 3 of \d+ open entries/);
    const id = entries[0]!.id;
    const claimed = rasd(["review", "claim", String(id), "--org", ORG, "--person", "demo-reviewer"]);
    assert.equal(claimed.status, 0, claimed.stderr);
    assert.match(claimed.stdout, new RegExp(`"id":${id},"claimed_by":\\d+,"claimed_until":"`));
    const other = rasd(["review", "claim", String(id), "--org", ORG, "--person", "demo-admin"]);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /claimed by another reviewer until/);
    // The admin's view of the queue leaves the reviewer's claim out; the plain list shows it.
    assert.ok(!lines(rasd(["review", "list", "--org", ORG, "--person", "demo-admin"]).stdout).some((e) => e.id === id));
    assert.ok(lines(rasd(["review", "list", "--org", ORG]).stdout).find((e) => e.id === id)!.claimed_by !== null);
    const released = rasd(["review", "release", String(id), "--org", ORG, "--person", "demo-reviewer"]);
    assert.equal(released.status, 0, released.stderr);
    assert.equal(rasd(["review", "claim", String(id), "--org", ORG, "--person", "demo-admin"]).status, 0);
  });

  it("filters the queue (kind, bank, platform, language, reason, combined), counts with them and pages", () => {
    type Row = { id: number; reason: string; bank_ids: number[] };
    const rows = (args: string[]) => {
      const r = rasd(["review", "list", "--org", ORG, "--limit", "500", ...args]);
      assert.equal(r.status, 0, r.stderr);
      return { rows: lines(r.stdout) as unknown as Row[], stderr: r.stderr };
    };
    const all = rows([]);
    assert.ok(all.rows.length > 2);
    assert.ok(all.rows.every((r) => ["match", "stance", "account", "incident", "link"].includes(r.reason)));
    const bank = all.rows.find((r) => r.bank_ids.length > 0)!.bank_ids[0]!;
    const byBank = rows(["--bank", String(bank)]);
    assert.ok(byBank.rows.length > 0 && byBank.rows.every((r) => r.bank_ids.includes(bank)));
    assert.match(byBank.stderr, new RegExp(`^review: ${byBank.rows.length} of ${byBank.rows.length} open entries`));
    const images = rows(["--kind", "image"]).rows.length;
    const texts = rows(["--kind", "text"]).rows.length;
    assert.ok(images + texts <= all.rows.length);
    assert.equal(rows(["--kind", "video", "--reason", "stance", "--language", "ar", "--platform", "x"]).rows.length, 0);
    // Pages: two entries, then the rest from the cursor printed on stderr.
    const first = rasd(["review", "list", "--org", ORG, "--limit", "2"]);
    const cursor = /next page: --before (\S+)/.exec(first.stderr)?.[1];
    assert.ok(cursor, first.stderr);
    const rest = rows(["--before", cursor]);
    assert.deepEqual(
      [...lines(first.stdout).map((e) => e.id), ...rest.rows.map((e) => e.id)],
      all.rows.map((e) => e.id),
    );
    const help = rasd(["review", "list", "--help"]);
    assert.match(help.stdout, /--kind <kind>[\s\S]*--bank <id>[\s\S]*--platform[\s\S]*--language[\s\S]*--reason/);
  });

  it("refuses bad input with the option at fault", () => {
    const cases: [string[], RegExp][] = [
      [["review", "claim", "x", "--org", ORG, "--person", "demo-reviewer"], /review entry id: "x" is not a number/],
      [["review", "claim", "1", "--org", ORG, "--person", "nobody"], /--person: no person named "nobody"/],
      [["review", "claim", "1", "--org", ORG, "--person", "demo-submitter"], /only a reviewer or an admin/],
      [["review", "list", "--org", "Nowhere"], /--org: no organisation named "Nowhere"/],
      [["review", "list", "--org", ORG, "--status", "done"], /--status: open, escalated or decided/],
      [["review", "list", "--org", ORG, "--kind", "audio"], /--kind: "audio" is not one of image, video, url, text/],
      [["review", "list", "--org", ORG, "--bank", "x"], /--bank: "x" is not a bank id/],
      [["review", "list", "--org", ORG, "--bank", "99999"], /--bank: there is no bank 99999/],
      [["review", "list", "--org", ORG, "--reason", "vibes"], /--reason: "vibes" is not one of match, stance/],
      [["review", "list", "--org", ORG, "--language", "fr"], /--language: "fr" is not one of ar, en, und/],
      [["review", "list", "--org", ORG, "--before", "zz"], /--before: "zz" is not a cursor of the open queue/],
      [["review", "claim", "999999", "--org", ORG, "--person", "demo-reviewer"], /no such review entry/],
    ];
    for (const [args, re] of cases) {
      const r = rasd(args);
      assert.notEqual(r.status, 0, args.join(" "));
      assert.match(r.stderr, re, args.join(" "));
    }
    assert.match(rasd(["review", "claim", "--help"]).stdout, /Example:\n {2}rasd review claim 12/);
  });
});
