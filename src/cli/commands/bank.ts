/** `rasd bank ...`: create, list, import into and export banks of signals. */

import { Command, InvalidArgumentError, Option } from "commander";
import type { Bank } from "../../core/model.js";
import { csvHeader, formatFromPath, formatSignal, type SignalFileFormat } from "../../services/signal-files.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";
import { ProgressBar } from "../progress.js";

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("expected an integer");
  return n;
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError("expected a number in (0, 1]");
  return n;
}

interface CreateOptions extends StoreOptions {
  org: string;
  description?: string;
  actionHint?: string;
  negative?: boolean;
  pdqThreshold?: number;
  pdqMinQuality?: number;
  textMinSimilarity?: number;
}

function describeBank(b: Bank, orgName: string): string {
  const flags = [
    b.negative ? "negative" : "",
    `pdq<=${b.pdqThreshold}`,
    `quality>=${b.pdqMinQuality}`,
    `text>=${b.textMinSimilarity}`,
  ]
    .filter((f) => f !== "")
    .join(" ");
  return `${b.id}\t${orgName}/${b.name}\t${flags}\t${b.actionHint}\t${b.description}`;
}

export function bankCommand(): Command {
  const bank = new Command("bank").description("banks of signals (hashes, URLs, domains, texts) shared by members");

  withStoreOptions(
    bank
      .command("create")
      .description("create a bank owned by an organisation")
      .argument("<name>", "bank name: letters, digits, '_', '.', '-'")
      .requiredOption("--org <org>", "owning organisation")
      .option("--description <text>", "what the bank holds")
      .option("--action-hint <hint>", "what a match suggests, e.g. remove, review, label")
      .option("--negative", "an allow-list: its matches suppress matches from other banks")
      .option("--pdq-threshold <n>", "PDQ match distance, 0..31 (default 31)", int)
      .option("--pdq-min-quality <n>", "ignore PDQ queries below this quality (default 50)", int)
      .option("--text-min-similarity <x>", "text match similarity, (0, 1] (default 0.5)", fraction),
  ).action(async (name: string, options: CreateOptions) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const created = await ctx.banks.createBank({
        orgId: org.id,
        name,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.actionHint !== undefined ? { actionHint: options.actionHint } : {}),
        ...(options.negative ? { negative: true } : {}),
        ...(options.pdqThreshold !== undefined ? { pdqThreshold: options.pdqThreshold } : {}),
        ...(options.pdqMinQuality !== undefined ? { pdqMinQuality: options.pdqMinQuality } : {}),
        ...(options.textMinSimilarity !== undefined ? { textMinSimilarity: options.textMinSimilarity } : {}),
      });
      process.stdout.write(`${describeBank(created, org.name)}\n`);
    });
  });

  withStoreOptions(
    bank
      .command("list")
      .description("list banks with their settings and sizes")
      .option("--org <org>", "only this organisation's")
      .option("--json", "JSON lines"),
  ).action(async (options: StoreOptions & { org?: string; json?: boolean }) => {
    await withContext(options, async (ctx) => {
      const orgs = new Map((await ctx.store.listOrgs()).map((o) => [o.id, o.name]));
      const orgId = options.org ? (await ctx.banks.requireOrg(options.org)).id : undefined;
      for (const b of await ctx.store.listBanks(orgId)) {
        const size = await ctx.store.countSignals(b.id);
        if (options.json) process.stdout.write(`${JSON.stringify({ ...b, org: orgs.get(b.orgId), signals: size })}\n`);
        else process.stdout.write(`${describeBank(b, orgs.get(b.orgId) ?? "?")}\t${size} signals\n`);
      }
    });
  });

  withStoreOptions(
    bank
      .command("import")
      .description(
        "add signals from a CSV or JSON-lines file (- for stdin). Bad rows are reported by line number; the good rows still land.\n" +
          "CSV header: type,value,entity,behaviour,language,confidence,source,first_seen,last_seen,quality (labels separated by |)",
      )
      .argument("<bank>", "bank name, or ORG/BANK")
      .argument("<file>", "the file, or - for standard input")
      .option("--org <org>", "the bank's organisation, when the name is not unique")
      .addOption(
        new Option("--format <format>", "file format (default: from the extension, csv otherwise)").choices([
          "csv",
          "jsonl",
        ]),
      )
      .option("--no-progress", "never draw a progress bar"),
  ).action(
    async (
      bankRef: string,
      file: string,
      options: StoreOptions & { org?: string; format?: SignalFileFormat; progress?: boolean },
    ) => {
      await withContext(options, async (ctx) => {
        const target = await ctx.banks.resolveBank(bankRef, options.org);
        const format = options.format ?? (file === "-" ? "csv" : formatFromPath(file));
        const progress = new ProgressBar(
          Number.POSITIVE_INFINITY,
          "importing",
          options.progress !== false && process.stderr.isTTY === true,
        );
        const report = await ctx.banks.importFile(target.id, file === "-" ? process.stdin : file, format, (n) =>
          progress.set(n),
        );
        progress.finish();
        for (const r of report.rejected) process.stderr.write(`rasd: ${file}: line ${r.line}: ${r.message}\n`);
        process.stdout.write(
          `${report.created} created, ${report.updated} updated, ${report.reactivated} reactivated, ${report.rejected.length} rejected\n`,
        );
        if (report.rejected.length > 0) process.exitCode = 1;
      });
    },
  );

  withStoreOptions(
    bank
      .command("export")
      .description("write a bank's signals as CSV or JSON lines to standard output")
      .argument("<bank>", "bank name, or ORG/BANK")
      .option("--org <org>", "the bank's organisation, when the name is not unique")
      .addOption(new Option("--format <format>", "output format").choices(["csv", "jsonl"]).default("csv"))
      .option("--include-retracted", "include retracted signals (tombstones), for mirrors"),
  ).action(
    async (
      bankRef: string,
      options: StoreOptions & { org?: string; format: SignalFileFormat; includeRetracted?: boolean },
    ) => {
      await withContext(options, async (ctx) => {
        const target = await ctx.banks.resolveBank(bankRef, options.org);
        if (options.format === "csv") process.stdout.write(csvHeader());
        let afterId = 0;
        for (;;) {
          const page = await ctx.store.listSignals(target.id, {
            afterId,
            limit: 5000,
            includeRetracted: options.includeRetracted === true,
          });
          if (page.length === 0) break;
          process.stdout.write(page.map((s) => formatSignal(s, options.format)).join(""));
          afterId = page[page.length - 1]!.id;
        }
      });
    },
  );

  return bank;
}
