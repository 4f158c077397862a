/**
 * `rasd report` as an operator runs it: ./bin/rasd on the compiled code, on a database that
 * a real service filled (items matched, classified and with reported outcomes).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadDemoHistory } from "../../src/server/demo-history.js";
import { REPO_ROOT } from "../support/shared.js";
import { startTestService, type TestService } from "../support/service.js";
import { sqliteDatabase } from "../support/databases.js";

const BIN = join(REPO_ROOT, "bin/rasd");
const out = mkdtempSync(join(tmpdir(), "rasd-report-"));

function rasd(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("rasd report", () => {
  let t: TestService;
  let db: string;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

  before(async () => {
    const database = sqliteDatabase();
    db = database.url;
    t = await startTestService({ db: database, workers: false });
    await loadDemoHistory(t.s, t.orgs.a.id, t.people.a.submitter, 30, 20);
    await t.close();
  });

  after(() => rmSync(out, { recursive: true, force: true }));

  it("writes JSON, CSV, HTML and the records for a member's period", () => {
    const from = day(Date.now() - 40 * 86_400_000);
    const to = day(Date.now() + 86_400_000);
    const r = rasd(["report", "--db", db, "--from", from, "--to", to, "--org", t.orgs.a.name, "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(out, "report.html"));
    for (const f of [
      "report.json",
      "report.csv",
      "report.html",
      "items.csv",
      "outcomes.csv",
      "stance-strata.csv",
      "stance-labels.csv",
      "copies.csv",
    ])
      assert.ok(existsSync(join(out, f)), f);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      organisation: string;
      removals: { removed: number };
      removalOrders: { received: number };
      stance: { overall: { items: number } };
    };
    assert.equal(report.organisation, t.orgs.a.name);
    assert.equal(report.stance.overall.items, 600);
    const outcomes = readFileSync(join(out, "outcomes.csv"), "utf8").trim().split("\r\n").slice(1);
    // Every removal and order counted in the report is a line of outcomes.csv.
    assert.equal(outcomes.filter((l) => l.split(",")[3] === "removed").length, report.removals.removed);
    assert.equal(outcomes.filter((l) => l.split(",")[3] === "removal_order").length, report.removalOrders.received);
    assert.ok(report.removals.removed > 0);
    assert.match(readFileSync(join(out, "report.html"), "utf8"), /Anti:pro ratio per month/);
  });

  it("every takedown figure recomputes from items.csv; Art. 7(3)(a)–(g) each present; nulls explicit in report.csv", () => {
    const from = day(Date.now() - 40 * 86_400_000);
    const to = day(Date.now() + 86_400_000);
    const dir = join(out, "recompute");
    const r = rasd(["report", "--db", db, "--from", from, "--to", to, "--out", dir]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
      takedown: {
        overall: Record<string, unknown> & { timeOnline: { count: number }; timeToRemoval: { max: number | null } };
      };
      art7: { point: string; figures: Record<string, number | string | null> }[];
      automatedTools: { labelledItems: number; accuracy: number | null };
    };
    const [header, ...lines] = readFileSync(join(dir, "items.csv"), "utf8").trim().split("\r\n");
    const cols = header!.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i]!, v])));
    for (const c of ["posted_at", "time_online_ms", "predicted", "model_version", "label", "lang", "score"])
      assert.ok(cols.includes(c), `items.csv has ${c}`);
    const o = report.takedown.overall;
    assert.equal(o.items, rows.length);
    assert.equal(o.matched, rows.filter((x) => x.banks !== "").length);
    assert.equal(o.actioned, rows.filter((x) => x.acted_at !== "").length);
    assert.equal(o.removed, rows.filter((x) => x.removed_at !== "").length);
    assert.equal(o.stillOnline, rows.filter((x) => x.removed_at === "" || x.restored_at !== "").length);
    assert.equal(o.timeOnline.count, rows.filter((x) => x.time_online_ms !== "").length);
    assert.equal(
      o.timeToRemoval.max,
      Math.max(...rows.filter((x) => x.time_to_removal_ms !== "").map((x) => Number(x.time_to_removal_ms))),
    );
    assert.ok(
      rows.some((x) => x.model_version !== "" && x.predicted !== ""),
      "classification columns are filled",
    );
    assert.ok(
      rows.some((x) => x.label !== ""),
      "label column holds people's labels",
    );
    assert.deepEqual(
      report.art7.map((a) => a.point),
      ["7(3)(a)", "7(3)(b)", "7(3)(c)", "7(3)(d)", "7(3)(e)", "7(3)(f)", "7(3)(g)"],
    );
    assert.equal(report.art7[1]!.figures.itemsMatchedToKnownContent, o.matched);
    assert.ok(report.automatedTools.labelledItems > 0 && report.automatedTools.accuracy !== null);
    const csv = readFileSync(join(dir, "report.csv"), "utf8");
    assert.match(csv, /art7\[7\(3\)\(f\)\]\.itemsReinstatedAfterReview,0/);
    assert.match(csv, /,null\r\n/, "a figure without a value is written null");
    assert.match(csv, /takedown\.overall\.stillOnline,/);
    // The coalition's report comes with one report per platform organisation.
    assert.ok(existsSync(join(dir, "orgs")), "per-provider reports");
  });

  it("defaults to the last calendar year", () => {
    const dir = join(out, "year");
    const r = rasd(["report", "--db", db, "--out", dir]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
      period: { from: string; to: string };
    };
    const y = new Date().getUTCFullYear() - 1;
    assert.deepEqual(report.period, { from: `${y}-01-01T00:00:00.000Z`, to: `${y + 1}-01-01T00:00:00.000Z` });
    assert.match(rasd(["report", "--db", db, "--from", "2026-01-01", "--out", dir]).stderr, /both --from and --to/);
  });

  it("refuses an unknown organisation and a reversed period with a clear message", () => {
    const bad = rasd(["report", "--db", db, "--from", "2026-02-01", "--to", "2026-01-01", "--out", out]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--from must be before --to/);
    const who = rasd([
      "report",
      "--db",
      db,
      "--from",
      "2026-01-01",
      "--to",
      "2026-02-01",
      "--org",
      "Nobody",
      "--out",
      out,
    ]);
    assert.notEqual(who.status, 0);
    assert.match(who.stderr, /no organisation named "Nobody"/);
    const when = rasd(["report", "--db", db, "--from", "yesterday", "--to", "2026-02-01"]);
    assert.match(when.stderr, /--from: not a date/);
  });
});
