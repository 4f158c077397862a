/**
 * `rasd incident`: declare (a government organisation only; a platform is refused), list,
 * show, debrief in every format (the events CSV recomputes it), close, and bad input.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../src/config/config.js";
import { closeServices, openServices } from "../../src/server/services.js";
import { REPO_ROOT } from "../support/shared.js";

const dir = mkdtempSync(join(tmpdir(), "rasd-incident-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const data = join(dir, "data");

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(join(REPO_ROOT, "bin/rasd"), [...args, "--data", data], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PDQ = "f".repeat(16) + "0".repeat(48);

describe("rasd incident", () => {
  before(async () => {
    const s = await openServices(loadConfig({ data }, {}), { workers: false, defaultMetrics: false });
    await s.banks.createOrg("Sawab", "government");
    await s.banks.createOrg("Platform A", "platform");
    await closeServices(s);
  });

  it("--help names every subcommand", () => {
    const r = rasd(["incident", "--help"]);
    assert.equal(r.status, 0, r.stderr);
    for (const sub of ["declare", "list", "show", "close", "debrief", "variants"])
      assert.match(r.stdout, new RegExp(sub));
  });

  it("refuses a platform's declaration and a bad tier, precisely", () => {
    const platform = rasd(["incident", "declare", "--org", "Platform A", "--tier", "1", "--title", "x"]);
    assert.notEqual(platform.status, 0);
    assert.match(platform.stderr, /government/);
    const tier = rasd(["incident", "declare", "--org", "Sawab", "--tier", "4", "--title", "x"]);
    assert.notEqual(tier.status, 0);
    assert.match(tier.stderr, /tier: 1, 2 or 3/);
    const signal = rasd([
      "incident",
      "declare",
      "--org",
      "Sawab",
      "--tier",
      "1",
      "--title",
      "x",
      "--signal",
      "pdq:nothex",
    ]);
    assert.notEqual(signal.status, 0);
    assert.match(signal.stderr, /artefact 1/);
  });

  it("refuses more files than a declaration takes, saying how many and the limit, before hashing any", () => {
    // The files need not exist: the count is refused first.
    const files = Array.from({ length: 12 }, (_, i) => ["--file", join(dir, `missing-${i}.png`)]).flat();
    const r = rasd(["incident", "declare", "--org", "Sawab", "--tier", "1", "--title", "x", ...files]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--file: 12 files given; a declaration takes at most 10/);
    const list = rasd(["incident", "list"]);
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /"title": "x"/);
  });

  it("declares a drill, lists, shows, debriefs and closes it", () => {
    const d = rasd([
      "incident",
      "declare",
      "--org",
      "Sawab",
      "--tier",
      "2",
      "--title",
      "Exercise release",
      "--drill",
      "--signal",
      `pdq:${PDQ}`,
      "--url",
      "https://example.org/video/1",
    ]);
    assert.equal(d.status, 0, d.stderr);
    const incident = JSON.parse(d.stdout) as { id: number; drill: boolean; bank: string };
    assert.equal(incident.drill, true);
    assert.match(incident.bank, /^exercise-/);
    assert.match(rasd(["incident", "list"]).stdout, /EXERCISE\t.*Exercise release/);
    const show = JSON.parse(rasd(["incident", "show", String(incident.id)]).stdout) as { timeline: { kind: string }[] };
    assert.deepEqual(
      show.timeline.map((e) => e.kind),
      ["declared", "hash_shared"],
    );
    const closed = rasd(["incident", "close", String(incident.id), "--org", "Sawab", "--improve", "Drill again"]);
    assert.equal(closed.status, 0, closed.stderr);
    const json = JSON.parse(rasd(["incident", "debrief", String(incident.id)]).stdout) as {
      to_first_hash_ms: number;
      incident: { improve: string; status: string };
      events: number;
    };
    assert.equal(json.incident.status, "closed");
    assert.equal(json.incident.improve, "Drill again");
    assert.ok(json.to_first_hash_ms >= 0);
    // declared, two hash_shared, closed
    assert.equal(json.events, 4);
    assert.equal(
      rasd(["incident", "debrief", String(incident.id), "--format", "events"])
        .stdout.trim()
        .split("\n").length,
      5,
    );
    assert.match(
      rasd(["incident", "debrief", String(incident.id), "--format", "csv"]).stdout,
      /^figure,member,org,value/,
    );
    assert.match(rasd(["incident", "debrief", String(incident.id), "--format", "html"]).stdout, /EXERCISE/);
    const again = rasd(["incident", "close", String(incident.id), "--org", "Sawab"]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /closed/);
  });
});
