/** `rasd bank ...`: create, list, import into and export banks of signals; `bank content` (HMA's contents). */

import { readFile } from "node:fs/promises";
import { Command, Option } from "../commander.js";
import { fraction, integer } from "../arguments.js";
import { RasdError, describeError } from "../../core/errors.js";
import type { RawSignal } from "../../services/signal-input.js";
import { opinionRecordsOf, type OpinionRecord } from "../../services/opinion-records.js";
import { hashMedia } from "../../services/media-hashing.js";
import { BANKED_MEDIA_TYPES, signalTypeDef } from "../../signals/registry.js";
import {
  DEFAULT_ACCOUNT_MIN_SCORE,
  DEFAULT_PDQ_MIN_QUALITY,
  DEFAULT_PDQ_THRESHOLD,
  type Bank,
  type Signal,
  type Tlp,
} from "../../core/model.js";
import { PDQ_MAX_THRESHOLD } from "../../signals/types/pdq.js";
import {
  SIGNAL_FILE_FORMATS,
  csvHeader,
  formatFromPath,
  formatSignal,
  stixBundleOf,
  type SignalFileFormat,
} from "../../services/signal-files.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";
import { bankContentCommand } from "./bank-content.js";
import { ProgressBar } from "../progress.js";

const VIDEO = /\.(mp4|m4v|mov|webm|mkv|avi|flv|3gp|ts|mpe?g|wmv)$/i;

interface CreateOptions extends StoreOptions {
  org: string;
  description?: string;
  actionHint?: string;
  negative?: boolean;
  pdqThreshold?: number;
  pdqMinQuality?: number;
  textMinSimilarity?: number;
  accountMinScore?: number;
}

function describeBank(b: Bank, orgName: string): string {
  const flags = [
    b.negative ? "negative" : "",
    `pdq<=${b.pdqThreshold}`,
    `quality>=${b.pdqMinQuality}`,
    `text>=${b.textMinSimilarity}`,
    `account>=${b.accountMinScore}`,
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
      .option(
        "--pdq-threshold <n>",
        `PDQ match distance, 0..${PDQ_MAX_THRESHOLD} (default ${DEFAULT_PDQ_THRESHOLD})`,
        integer,
      )
      .option(
        "--pdq-min-quality <n>",
        `ignore PDQ queries below this quality (default ${DEFAULT_PDQ_MIN_QUALITY})`,
        integer,
      )
      .option("--text-min-similarity <x>", "text match similarity, (0, 1] (default 0.5)", fraction)
      .option(
        "--account-min-score <x>",
        `score a ban-evasion (account) match needs, (0, 1] (default ${DEFAULT_ACCOUNT_MIN_SCORE})`,
        fraction,
      ),
  ).action(async (name: string, options: CreateOptions) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      // The organisation's default marking (PUT /v1/sharing-defaults), else the store's AMBER+STRICT.
      const tlp = (await ctx.stores.access.getOrgDefaults(org.id)).tlp;
      const created = await ctx.banks.createBank({
        orgId: org.id,
        name,
        ...(tlp ? { tlp: tlp as Tlp } : {}),
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.actionHint !== undefined ? { actionHint: options.actionHint } : {}),
        ...(options.negative ? { negative: true } : {}),
        ...(options.pdqThreshold !== undefined ? { pdqThreshold: options.pdqThreshold } : {}),
        ...(options.pdqMinQuality !== undefined ? { pdqMinQuality: options.pdqMinQuality } : {}),
        ...(options.textMinSimilarity !== undefined ? { textMinSimilarity: options.textMinSimilarity } : {}),
        ...(options.accountMinScore !== undefined ? { accountMinScore: options.accountMinScore } : {}),
      });
      process.stdout.write(`${describeBank(created, org.name)}\n`);
    });
  });

  withStoreOptions(
    bank
      .command("set")
      .description("change a bank's matching thresholds")
      .argument("<name>", "bank name (or ORG/NAME)")
      .option("--org <org>", "owning organisation (unless the name is ORG/NAME)")
      .option("--pdq-threshold <n>", `PDQ match distance, 0..${PDQ_MAX_THRESHOLD}`, integer)
      .option("--pdq-min-quality <n>", "ignore PDQ queries below this quality", integer)
      .option("--text-min-similarity <x>", "text match similarity, (0, 1]", fraction)
      .option("--account-min-score <x>", "score a ban-evasion (account) match needs, (0, 1]", fraction),
  ).action(async (name: string, options: Omit<CreateOptions, "org"> & { org?: string }) => {
    await withContext(options, async (ctx) => {
      const patch = {
        ...(options.pdqThreshold !== undefined ? { pdqThreshold: options.pdqThreshold } : {}),
        ...(options.pdqMinQuality !== undefined ? { pdqMinQuality: options.pdqMinQuality } : {}),
        ...(options.textMinSimilarity !== undefined ? { textMinSimilarity: options.textMinSimilarity } : {}),
        ...(options.accountMinScore !== undefined ? { accountMinScore: options.accountMinScore } : {}),
      };
      if (Object.keys(patch).length === 0)
        throw new RasdError(
          "invalid",
          "nothing to set: give --pdq-threshold, --pdq-min-quality, --text-min-similarity or --account-min-score",
        );
      const found = await ctx.banks.resolveBank(name, options.org);
      const updated = await ctx.banks.updateBank(found.id, patch);
      const orgs = new Map((await ctx.store.listOrgs()).map((o) => [o.id, o.name]));
      process.stdout.write(`${describeBank(updated, orgs.get(updated.orgId) ?? "?")}\n`);
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
          "CSV header: type,value,entity,behaviour,language,confidence,source,first_seen,last_seen,quality,status (labels separated by |).\n" +
          "A row with status retracted (a tombstone, as export --include-retracted writes) is never added: it retracts the signal if the bank holds it.",
      )
      .argument("<bank>", "bank name, or ORG/BANK")
      .argument("<file>", "the file, or - for standard input")
      .option("--org <org>", "the bank's organisation, when the name is not unique")
      .addOption(
        new Option(
          "--format <format>",
          "file format (default: from the extension: .jsonl jsonl, .txt pytx-file, .stix.json stix, csv otherwise); pytx-file and pytx-csv are python-threatexchange's local_file and dataset --csv, stix a STIX 2.1 bundle of Indicators",
        ).choices(SIGNAL_FILE_FORMATS),
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
        const tombs = report.tombstones
          ? `, ${report.tombstones} tombstones (${report.retracted ?? 0} retracted here)`
          : "";
        process.stdout.write(
          `${report.created} created, ${report.updated} updated, ${report.reactivated} reactivated, ${report.rejected.length} rejected${tombs}${report.opinions ? `, ${report.opinions} opinions` : ""}\n`,
        );
        if (report.rejected.length > 0) process.exitCode = 1;
      });
    },
  );

  withStoreOptions(
    bank
      .command("add-media")
      .description(
        "hash media files and add their signals to a bank in one step: images as pdq (full flavour) and md5,\n" +
          "videos as vpdq (every frame, so that queries hashed at one frame a second find their neighbours) and video_md5",
      )
      .argument("<bank>", "bank name, or ORG/BANK")
      .argument("<files...>", "images or videos")
      .option("--org <org>", "the bank's organisation, when the name is not unique")
      .option("--entity <list>", "entity labels, e.g. isis (several separated by |)")
      .option("--behaviour <list>", "behaviour labels, e.g. glorification|recruitment")
      .option("--language <list>", "language labels, e.g. ar")
      .option("--confidence <n>", "0..100")
      .option("--source <text>", "where the media came from"),
  ).action(
    async (
      bankRef: string,
      files: string[],
      options: StoreOptions & {
        org?: string;
        entity?: string;
        behaviour?: string;
        language?: string;
        confidence?: string;
        source?: string;
      },
    ) => {
      await withContext(options, async (ctx) => {
        const target = await ctx.banks.resolveBank(bankRef, options.org);
        const labels = {
          entity: options.entity,
          behaviour: options.behaviour,
          language: options.language,
          confidence: options.confidence,
          source: options.source,
        };
        const records: { line: number; raw: RawSignal }[] = [];
        let failed = 0;
        for (const [i, file] of files.entries()) {
          try {
            const bytes = await readFile(file);
            const kind = VIDEO.test(file) ? "video" : "image";
            const types = BANKED_MEDIA_TYPES[kind];
            // Videos: every frame in the bank; queries at one a second (docs/decisions/0006-vpdq.md).
            const hashed = await hashMedia(bytes, kind, types, { secondsPerHash: 0, path: file });
            for (const type of types) {
              const value = hashed.values[type];
              const quality = signalTypeDef(type).hasQuality ? hashed.pdq?.quality : undefined;
              if (value !== undefined)
                records.push({
                  line: i + 1,
                  raw: { type, value, ...(quality !== undefined ? { quality } : {}), ...labels },
                });
            }
          } catch (error) {
            failed++;
            process.stderr.write(`rasd: ${file}: ${describeError(error)}\n`);
          }
        }
        const report = await ctx.banks.addSignals(target.id, records);
        for (const r of report.rejected) process.stderr.write(`rasd: ${files[r.line - 1]}: ${r.message}\n`);
        process.stdout.write(
          `${report.created} created, ${report.updated} updated, ${report.reactivated} reactivated, ${report.rejected.length + failed} failed\n`,
        );
        if (failed + report.rejected.length > 0) process.exitCode = 1;
      });
    },
  );

  withStoreOptions(
    bank
      .command("export")
      .description(
        "write a bank's signals (with the members' opinions, as RASD_OPINION_ORGS allows) as CSV, JSON lines or STIX to standard output",
      )
      .argument("<bank>", "bank name, or ORG/BANK")
      .option("--org <org>", "the bank's organisation, when the name is not unique")
      .addOption(
        new Option(
          "--format <format>",
          "output format; pytx-file and pytx-csv are python-threatexchange's local_file and dataset --csv (types it lacks are left out and counted on stderr); stix a STIX 2.1 bundle (Indicators with TLP 2.0 markings; retracted ones revoked)",
        )
          .choices(SIGNAL_FILE_FORMATS)
          .default("csv"),
      )
      .option("--include-retracted", "include retracted signals (tombstones), for mirrors"),
  ).action(
    async (
      bankRef: string,
      options: StoreOptions & { org?: string; format: SignalFileFormat; includeRetracted?: boolean },
    ) => {
      await withContext(options, async (ctx) => {
        const target = await ctx.banks.resolveBank(bankRef, options.org);
        process.stdout.write(csvHeader(options.format));
        let afterId = 0;
        let left = 0;
        const bundled: Signal[] = [];
        const bundledOpinions = new Map<number, OpinionRecord[]>();
        for (;;) {
          const page = await ctx.store.listSignals(target.id, {
            afterId,
            limit: 5000,
            includeRetracted: options.includeRetracted === true,
          });
          if (page.length === 0) break;
          afterId = page[page.length - 1]!.id;
          // Opinions go with their signal, naming organisations only as RASD_OPINION_ORGS allows.
          const opinions = options.format.startsWith("pytx")
            ? new Map<number, OpinionRecord[]>()
            : await opinionRecordsOf(ctx.store, page, {
                named: ctx.config.opinionOrgs === "named",
                includeRetracted: options.includeRetracted === true,
                includeForeign: true,
              });
          // A STIX bundle is one JSON document: written once every signal is read.
          if (options.format === "stix") {
            bundled.push(...page);
            for (const [id, list] of opinions) bundledOpinions.set(id, list);
            continue;
          }
          const lines = page.map((s) => formatSignal(s, options.format, target.name, opinions.get(s.id)));
          left += lines.filter((l) => l === "").length;
          process.stdout.write(lines.join(""));
        }
        if (options.format === "stix") {
          const org = await ctx.store.getOrg(target.orgId);
          if (!org) throw new RasdError("not_found", `no organisation with id ${target.orgId}`);
          process.stdout.write(stixBundleOf(bundled, target, org, bundledOpinions));
        }
        if (left > 0)
          process.stderr.write(
            `rasd: ${left} signals left out: ${options.format} has no place for their type${options.format === "pytx-file" ? " or a tombstone" : ""}\n`,
          );
      });
    },
  );

  bank.addCommand(bankContentCommand());
  return bank;
}
