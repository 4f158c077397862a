/**
 * `rasd labels`: the labelling queue from the command line — draw a member's random,
 * stratified sample per period, list its tasks, and label one (services/labels.ts).
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { LabelService } from "../../services/labels.js";
import { LABEL_STANCES, type LabelStance } from "../../storage/ports/labels.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

const DAY = 86_400_000;

function parseWhen(value: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new RasdError("usage", `--${name}: not a date ("${value}"); use YYYY-MM-DD or ISO 8601`);
  return ms;
}

interface OrgOption extends StoreOptions {
  org: string;
}

async function orgId(
  ctx: { store: { listOrgs(): Promise<{ id: number; name: string }[]> } },
  name: string,
): Promise<number> {
  const found = (await ctx.store.listOrgs()).find((o) => o.name === name);
  if (!found) throw new RasdError("usage", `--org: no organisation named "${name}"`);
  return found.id;
}

export function labelsCommand(): Command {
  const labels = new Command("labels").description(
    "the labelling queue: a random sample of classified items, stratified by period, platform, language and predicted label, for people to label their stance",
  );
  labels.addCommand(
    withStoreOptions(
      new Command("draw")
        .description("draw (or top up) each period's sample of an organisation's items into its queue")
        .requiredOption("--org <name>", "the organisation whose items are drawn")
        .option("--from <date>", "start, inclusive (default 30 days before --to)")
        .option("--to <date>", "end, exclusive (default now)")
        .option("--interval <interval>", "day, week or month", "month")
        .option("--per-period <n>", "labels per period", "300"),
    ).action(async (o: OrgOption & { from?: string; to?: string; interval: string; perPeriod: string }) => {
      if (!["day", "week", "month"].includes(o.interval))
        throw new RasdError("usage", "--interval: day, week or month");
      const to = o.to ? parseWhen(o.to, "to") : Date.now();
      const from = o.from ? parseWhen(o.from, "from") : to - 30 * DAY;
      await withContext(o, async (ctx) => {
        const periods = await new LabelService(ctx.stores.labels).draw({
          orgId: await orgId(ctx, o.org),
          by: null,
          from,
          to,
          interval: o.interval as "day" | "week" | "month",
          perPeriod: Number(o.perPeriod),
          now: Date.now(),
        });
        for (const p of periods) process.stdout.write(`${JSON.stringify(p)}\n`);
      });
    }),
  );
  labels.addCommand(
    withStoreOptions(
      new Command("list")
        .description("an organisation's tasks as JSON lines: open (default) or labelled")
        .requiredOption("--org <name>", "the organisation")
        .option("--labelled", "labelled tasks instead of open ones")
        .option("--limit <n>", "at most this many", "50"),
    ).action(async (o: OrgOption & { labelled?: boolean; limit: string }) => {
      await withContext(o, async (ctx) => {
        const tasks = await new LabelService(ctx.stores.labels).list(
          await orgId(ctx, o.org),
          o.labelled ? "labelled" : "open",
          Number(o.limit),
        );
        for (const t of tasks)
          process.stdout.write(
            `${JSON.stringify({ id: t.id, item_id: t.itemId, lang: t.lang, platform: t.platform, text: t.text, url: t.url, stance: t.stance })}\n`,
          );
      });
    }),
  );
  labels.addCommand(
    withStoreOptions(
      new Command("set")
        .description(`label a task's stance: ${LABEL_STANCES.join(", ")}`)
        .argument("<id>", "the task's id")
        .argument("<stance>", LABEL_STANCES.join(" | "))
        .requiredOption("--org <name>", "the task's organisation")
        .requiredOption("--person <id>", "who labels (a person's id)")
        .option("--note <text>", "a note", ""),
    ).action(async (id: string, stance: string, o: OrgOption & { person: string; note: string }) => {
      if (!(LABEL_STANCES as readonly string[]).includes(stance))
        throw new RasdError("usage", `stance: one of ${LABEL_STANCES.join(", ")}`);
      if (!/^[1-9]\d*$/.test(id)) throw new RasdError("usage", "id: a task's number");
      await withContext(o, async (ctx) => {
        await new LabelService(ctx.stores.labels).label(
          await orgId(ctx, o.org),
          Number(id),
          stance as LabelStance,
          o.note,
          Number(o.person),
          Date.now(),
        );
      });
    }),
  );
  return labels;
}
