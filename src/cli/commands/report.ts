/** `rasd report`: the transparency report (JSON, CSV and an HTML page) for a period. */

import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { reportCsv } from "../../report/csv.js";
import { reportHtml } from "../../report/html.js";
import { MeasurementService } from "../../services/measurement.js";
import { buildReport, lastCalendarYear, type TransparencyReport } from "../../services/report.js";
import { loadClassifier } from "../../services/stance.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

/** A date (YYYY-MM-DD, as midnight UTC) or an ISO 8601 time. */
function parseWhen(value: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new RasdError("usage", `--${name}: not a date ("${value}"); use YYYY-MM-DD or ISO 8601`);
  return ms;
}

interface ReportOptions extends StoreOptions {
  from?: string;
  to?: string;
  org?: string;
  out: string;
}

export function reportCommand(): Command {
  return withStoreOptions(
    new Command("report")
      .description(
        "write the transparency report for a period (EU Regulation 2021/784 Art. 7): report.json, report.csv, report.html, and the records behind every figure (items.csv, outcomes.csv, stance-strata.csv, stance-labels.csv, copies.csv)",
      )
      .option("--from <date>", "start, inclusive (YYYY-MM-DD or ISO 8601, UTC; default: 1 January of last year)")
      .option("--to <date>", "end, exclusive (YYYY-MM-DD or ISO 8601, UTC; default: 1 January of this year)")
      .option(
        "--org <name>",
        "one member's report (default: the coalition's summary, and one report per platform organisation in orgs/<name>/)",
      )
      .option("--out <dir>", "folder to write to", "report")
      .addHelpText(
        "after",
        '\nExample:\n  rasd report --from 2026-01-01 --to 2027-01-01 --org "Video Platform" --out report-2026\n',
      ),
  ).action(async (options: ReportOptions) => {
    if ((options.from === undefined) !== (options.to === undefined))
      throw new RasdError("usage", "give both --from and --to, or neither (the last calendar year)");
    const year = lastCalendarYear(Date.now());
    const from = options.from === undefined ? year.from : parseWhen(options.from, "from");
    const to = options.to === undefined ? year.to : parseWhen(options.to, "to");
    if (!(from < to)) throw new RasdError("usage", "--from must be before --to");
    await withContext(options, async (ctx) => {
      let org: { id: number; name: string } | undefined;
      if (options.org) {
        const found = (await ctx.store.listOrgs()).find((o) => o.name === options.org);
        if (!found) throw new RasdError("usage", `--org: no organisation named "${options.org}"`);
        org = { id: found.id, name: found.name };
      }
      const measurement = new MeasurementService(
        ctx.stores.measures,
        loadClassifier(ctx.config.stanceModel),
        ctx.stores.labels,
      );
      const report = await buildReport(ctx.stores, measurement, { from, to, ...(org ? { org } : {}) });
      const dir = resolve(options.out);
      await writeReport(dir, report);
      const { records } = report;
      if (!org)
        // One report per hosting service provider (platform organisation) beside the coalition's summary.
        for (const o of (await ctx.store.listOrgs()).filter((x) => x.kind === "platform")) {
          const own = await buildReport(ctx.stores, measurement, { from, to, org: { id: o.id, name: o.name } });
          await writeReport(join(dir, "orgs", o.name.replace(/[^\p{L}\p{N}._-]+/gu, "_")), own);
        }
      process.stderr.write(
        `report: ${records.items.length} items and ${records.outcomes.length} outcome events from ${report.period.from} to ${report.period.to}\n`,
      );
      process.stdout.write(`${join(dir, "report.html")}\n`);
    });
  });
}

async function writeReport(dir: string, report: TransparencyReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  const csv = reportCsv(report);
  const figures = Object.fromEntries(Object.entries(report).filter(([k]) => k !== "records"));
  await writeFile(join(dir, "report.json"), `${JSON.stringify(figures, null, 2)}\n`);
  await writeFile(join(dir, "report.csv"), csv.summary);
  await writeFile(join(dir, "items.csv"), csv.items);
  await writeFile(join(dir, "outcomes.csv"), csv.outcomes);
  await writeFile(join(dir, "stance-strata.csv"), csv.stanceStrata);
  await writeFile(join(dir, "stance-labels.csv"), csv.stanceLabels);
  await writeFile(join(dir, "copies.csv"), csv.copies);
  await writeFile(join(dir, "report.html"), reportHtml(report));
}
