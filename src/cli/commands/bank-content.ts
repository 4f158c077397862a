/**
 * `rasd bank content ...`: HMA's bank content (decision 0020) — one item with all its signals —
 * listed, shown, disabled (for ever or until a time), enabled and deleted, as the HMA routes do.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { HMA_DISABLED, HMA_ENABLED, HmaContentService } from "../../services/hma-contents.js";
import type { HmaContent } from "../../storage/ports/hma.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

function service(ctx: Context): HmaContentService {
  return new HmaContentService(ctx.stores.hma, ctx.store, ctx.banks);
}

async function requireContent(ctx: Context, text: string): Promise<HmaContent> {
  if (!/^\d+$/.test(text)) throw new RasdError("invalid", `content id: "${text}" is not a number`);
  const id = Number(text);
  const content = await ctx.stores.hma.getContent(id);
  if (!content) throw new RasdError("not_found", `no bank content ${id}`);
  return content;
}

/** A Unix time in seconds from `--until`: seconds, or an ISO 8601 date and time. */
export function untilSeconds(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new RasdError("invalid", `--until: "${text}" is neither Unix seconds nor an ISO 8601 time`);
  return Math.floor(ms / 1000);
}

async function describe(ctx: Context, c: HmaContent): Promise<Record<string, unknown>> {
  const signals = await ctx.store.getSignals(c.signalIds);
  return {
    id: c.id,
    bank_id: c.bankId,
    disable_until_ts: c.disableUntilTs,
    note: c.note,
    metadata: c.metadata,
    signals: signals.map((s) => ({ id: s.id, type: s.type, value: s.value, status: s.status })),
  };
}

function line(d: Record<string, unknown>): string {
  const signals = d.signals as { type: string; value: string; status: string }[];
  const state =
    d.disable_until_ts === HMA_ENABLED
      ? "enabled"
      : d.disable_until_ts === HMA_DISABLED
        ? "disabled"
        : `disabled until ${String(d.disable_until_ts)}`;
  return `${String(d.id)}\t${state}\t${signals.map((s) => `${s.type}:${s.value}(${s.status})`).join(" ")}\t${(d.note as string | null) ?? ""}\n`;
}

export function bankContentCommand(): Command {
  const content = new Command("content").description(
    "HMA bank content: one item with all its signals (a video: video_md5 and vpdq)",
  );

  withStoreOptions(
    content
      .command("list <bank>")
      .description("a bank's contents (BANK: name, or ORG/NAME)")
      .option("--org <org>", "the bank's organisation")
      .option("--json", "JSON lines"),
  ).action(async (bankRef: string, options: StoreOptions & { org?: string; json?: boolean }) => {
    await withContext(options, async (ctx) => {
      const bank = await ctx.banks.resolveBank(bankRef, options.org);
      for (let after = 0; ;) {
        const page = await ctx.stores.hma.listContents(bank.id, { afterId: after, limit: 500 });
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        for (const c of page) {
          const d = await describe(ctx, c);
          process.stdout.write(options.json ? `${JSON.stringify(d)}\n` : line(d));
        }
      }
    });
  });

  withStoreOptions(
    content
      .command("add <bank> <signals...>")
      .description("add one content holding these signals, each TYPE:VALUE (e.g. pdq:<64 hex> video_md5:<32 hex>)")
      .option("--org <org>", "the bank's organisation")
      .option("--note <text>", "a note (at most 255 characters)"),
  ).action(async (bankRef: string, signals: string[], options: StoreOptions & { org?: string; note?: string }) => {
    await withContext(options, async (ctx) => {
      const bank = await ctx.banks.resolveBank(bankRef, options.org);
      if (options.note !== undefined && options.note.length > 255)
        throw new RasdError("invalid", "--note: at most 255 characters");
      const raws = signals.map((s) => {
        const at = s.indexOf(":");
        if (at <= 0) throw new RasdError("invalid", `"${s}": expected TYPE:VALUE`);
        return { type: s.slice(0, at), value: s.slice(at + 1) };
      });
      const added = await service(ctx).add(bank.id, raws, { note: options.note ?? null });
      const rejected = added.report.rejected[0];
      if (rejected || !added.content)
        throw new RasdError("invalid", `${signals[rejected?.line ?? 0]}: ${rejected?.message ?? "not added"}`);
      process.stdout.write(line(await describe(ctx, added.content)));
    });
  });

  withStoreOptions(content.command("show <id>").description("one content with its signals, as JSON")).action(
    async (id: string, options: StoreOptions) => {
      await withContext(options, async (ctx) => {
        const c = await requireContent(ctx, id);
        process.stdout.write(`${JSON.stringify(await describe(ctx, c), null, 2)}\n`);
      });
    },
  );

  withStoreOptions(
    content
      .command("disable <id>")
      .description("disable a content (its signals no other enabled content holds stop matching)")
      .option("--until <time>", "only until this time: Unix seconds or ISO 8601 (the database's clock)"),
  ).action(async (id: string, options: StoreOptions & { until?: string }) => {
    await withContext(options, async (ctx) => {
      const c = await requireContent(ctx, id);
      const until = options.until === undefined ? HMA_DISABLED : untilSeconds(options.until);
      if (until !== HMA_DISABLED && until <= (await ctx.stores.hma.nowSeconds()))
        throw new RasdError("invalid", "--until: that time has passed (use `rasd bank content enable`)");
      const updated = await service(ctx).update(c, { disableUntilTs: until });
      process.stdout.write(line(await describe(ctx, updated)));
    });
  });

  withStoreOptions(content.command("enable <id>").description("enable a content (its signals match again)")).action(
    async (id: string, options: StoreOptions) => {
      await withContext(options, async (ctx) => {
        const c = await requireContent(ctx, id);
        const updated = await service(ctx).update(c, { disableUntilTs: HMA_ENABLED });
        process.stdout.write(line(await describe(ctx, updated)));
      });
    },
  );

  withStoreOptions(
    content
      .command("delete <id>")
      .description("delete a content: its signals no other enabled content holds are retracted"),
  ).action(async (id: string, options: StoreOptions) => {
    await withContext(options, async (ctx) => {
      const c = await requireContent(ctx, id);
      await service(ctx).delete(c);
      process.stdout.write(`deleted content ${c.id}\n`);
    });
  });

  return content;
}
