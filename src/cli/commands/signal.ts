/** `rasd signal ...`: look at one signal, retract it, give an opinion on it. */

import { Command, Option } from "commander";
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
      .description("record an organisation's opinion of a signal (one per organisation, replaced on update)")
      .argument("<id>", "signal id")
      .requiredOption("--org <org>", "the organisation giving the opinion")
      .addOption(new Option("--kind <kind>", "the opinion").choices([...OPINION_KINDS]).makeOptionMandatory())
      .option("--note <text>", "why"),
  ).action(async (raw: string, options: StoreOptions & { org: string; kind: OpinionKind; note?: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      await ctx.banks.opinion(id(raw), org.id, options.kind, options.note);
      process.stdout.write(`${raw}\t${org.name}\t${options.kind}\n`);
    });
  });
  return signal;
}
