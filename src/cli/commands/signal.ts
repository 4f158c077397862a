/** `rasd signal ...`: look at one signal, retract it, give an opinion on it. */

import { Command, Option } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { OPINION_KINDS, type OpinionKind } from "../../core/model.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

function id(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RasdError("usage", `not a signal id: "${value}"`);
  return n;
}

export function signalCommand(): Command {
  const signal = new Command("signal").description("one signal: show, retract, opinions");

  withStoreOptions(
    signal.command("show").description("a signal with its labels and opinions, as JSON").argument("<id>", "signal id"),
  ).action(async (raw: string, options: StoreOptions) => {
    await withContext(options, async (ctx) => {
      const s = await ctx.store.getSignal(id(raw));
      if (!s) throw new RasdError("not_found", `no signal with id ${raw}`);
      const opinions = await ctx.store.listOpinions(s.id);
      process.stdout.write(`${JSON.stringify({ ...s, opinions }, null, 2)}\n`);
    });
  });

  withStoreOptions(
    signal
      .command("retract")
      .description("retract a signal: it stops matching and mirrors learn of it (a tombstone)")
      .argument("<id>", "signal id"),
  ).action(async (raw: string, options: StoreOptions) => {
    await withContext(options, async (ctx) => {
      const s = await ctx.banks.retract(id(raw));
      process.stdout.write(`${s.id}\t${s.status}\tchange ${s.changeSeq}\n`);
    });
  });

  withStoreOptions(
    signal
      .command("opinion")
      .description(
        "record an organisation's opinion of a signal (one per organisation, replaced on update), or take it back (--retract)",
      )
      .argument("<id>", "signal id")
      .requiredOption("--org <org>", "the organisation giving the opinion")
      .addOption(new Option("--kind <kind>", "the opinion").choices([...OPINION_KINDS]))
      .option("--note <text>", "why")
      .option("--retract", "take the organisation's opinion back (mirrors and STIX readers learn of it)"),
  ).action(
    async (
      raw: string,
      options: StoreOptions & { org: string; kind?: OpinionKind; note?: string; retract?: boolean },
    ) => {
      if (options.retract === true && options.kind !== undefined)
        throw new RasdError("usage", "--retract takes no --kind: it takes the organisation's opinion back");
      if (options.retract !== true && options.kind === undefined)
        throw new RasdError("usage", `--kind: required (one of ${OPINION_KINDS.join(", ")}), or --retract`);
      await withContext(options, async (ctx) => {
        const org = await ctx.banks.requireOrg(options.org);
        if (options.retract === true) {
          await ctx.banks.retractOpinion(id(raw), org.id);
          process.stdout.write(`${raw}\t${org.name}\tretracted\n`);
          return;
        }
        await ctx.banks.opinion(id(raw), org.id, options.kind!, options.note);
        process.stdout.write(`${raw}\t${org.name}\t${options.kind!}\n`);
      });
    },
  );
  withStoreOptions(
    signal
      .command("changes")
      .description(
        "every signal changed after a cursor, tombstones included, as JSON lines — for mirrors.\n" +
          "The next cursor is printed on stderr; pass it back with --since to continue.",
      )
      .option("--since <cursor>", "change cursor (0 = from the beginning)", "0")
      .option("--limit <n>", "at most this many signals", "10000"),
  ).action(async (options: StoreOptions & { since: string; limit: string }) => {
    const since = Number(options.since);
    const limit = Number(options.limit);
    if (!Number.isSafeInteger(since) || since < 0)
      throw new RasdError("usage", `--since: not a cursor: "${options.since}"`);
    if (!Number.isSafeInteger(limit) || limit <= 0)
      throw new RasdError("usage", `--limit: not a positive integer: "${options.limit}"`);
    await withContext(options, async (ctx) => {
      const page = await ctx.store.changesSince(since, limit);
      process.stdout.write(page.signals.map((s) => `${JSON.stringify(s)}\n`).join(""));
      process.stderr.write(`cursor ${page.cursor}\n`);
    });
  });
  return signal;
}
