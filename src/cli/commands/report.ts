/** `rasd report`: the transparency report (JSON, CSV and an HTML page) for a period. */

import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { RasdError } from "../../core/errors.js";
import { reportCsv } from "../../report/csv.js";
import { reportHtml } from "../../report/html.js";
import { MeasurementService } from "../../services/measurement.js";
import { buildReport } from "../../services/report.js";
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
  from: string;
  to: string;
  org?: string;
  out: string;
}

export function reportCommand(): Command {
  return withStoreOptions(
    new Command("report")
      .description(
        "write the transparency report for a period (EU Regulation 2021/784 Art. 7): report.json, report.csv, report.html, and the records behind every figure (items.csv, outcomes.csv)",
      )
      .requiredOption("--from <date>", "start, inclusive (YYYY-MM-DD or ISO 8601, UTC)")
      .requiredOption("--to <date>", "end, exclusive (YYYY-MM-DD or ISO 8601, UTC)")
      .option("--org <name>", "one member's report (default: the coalition's)")
      .option("--out <dir>", "folder to write to", "report")
      .addHelpText(
        "after",
        '\nExample:\n  rasd report --from 2026-01-01 --to 2027-01-01 --org "Video Platform" --out report-2026\n',
      ),
  ).action(async (options: ReportOptions) => {
    const from = parseWhen(options.from, "from");
    const to = parseWhen(options.to, "to");
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
      await mkdir(dir, { recursive: true });
      const csv = reportCsv(report);
      const { records, ...figures } = report;
      await writeFile(join(dir, "report.json"), `${JSON.stringify(figures, null, 2)}\n`);
      await writeFile(join(dir, "report.csv"), csv.summary);
      await writeFile(join(dir, "items.csv"), csv.items);
      await writeFile(join(dir, "outcomes.csv"), csv.outcomes);
      await writeFile(join(dir, "report.html"), reportHtml(report));
      process.stderr.write(
        `report: ${records.items.length} items and ${records.outcomes.length} outcome events from ${report.period.from} to ${report.period.to}\n`,
      );
      process.stdout.write(`${join(dir, "report.html")}\n`);
    });
  });
}
