/**
 * `rasd counter`: counter-messaging from the command line (issue 20) — draft items into the
 * library, list them, approve or retire them, try a redirect, and print campaign figures.
 * The command acts as an admin of the organisation named by --org (the server's operator runs
 * it); the API is where members' own people and roles act.
 */

import { Command } from "../commander.js";
import {
  COUNTER_KINDS,
  COUNTER_LANGS,
  NARRATIVES,
  isNarrative,
  type CounterKind,
  type CounterLang,
  type Narrative,
} from "../../core/counter.js";
import { RasdError } from "../../core/errors.js";
import { TLP_MARKINGS, type Tlp } from "../../core/model.js";
import { AccessService, type Principal } from "../../services/access.js";
import { CounterService } from "../../services/counter.js";
import { COUNTER_GROUPINGS, type CounterGrouping } from "../../services/counter-figures.js";
import { loadSecretKey } from "../../services/secret-key.js";
import { loadClassifier } from "../../services/stance.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

const DAY = 86_400_000;

interface OrgOption extends StoreOptions {
  org: string;
}

async function principal(ctx: Context, name: string): Promise<Principal> {
  const org = (await ctx.store.listOrgs()).find((o) => o.name === name);
  if (!org) throw new RasdError("usage", `--org: no organisation named "${name}"`);
  return {
    orgId: org.id,
    personId: 0,
    role: "admin",
    keyId: 0,
    personName: "rasd counter (command line)",
    orgName: org.name,
  };
}

async function counterOf(ctx: Context): Promise<CounterService> {
  const access = new AccessService(ctx.stores.access, ctx.store);
  return new CounterService(
    {
      store: ctx.stores.counter,
      classifier: loadClassifier(ctx.config.stanceModel),
      matcher: await ctx.matcher(),
      signals: ctx.store,
      visibleBankIds: (who) => access.visibleBankIds(who),
    },
    loadSecretKey(ctx.config),
  );
}

function idArg(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new RasdError("usage", `id: an item's number, not "${value}"`);
  return Number(value);
}

function oneOf<T extends string>(values: readonly T[], value: string, name: string): T {
  if (!(values as readonly string[]).includes(value))
    throw new RasdError("usage", `--${name}: one of ${values.join(", ")} (not "${value}")`);
  return value as T;
}

const line = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);

export function counterCommand(): Command {
  const counter = new Command("counter").description(
    "counter-messaging: the counter-narrative library (draft → approved → retired), the redirect lookup and campaign figures",
  );
  counter.addCommand(
    withStoreOptions(
      new Command("add")
        .description("draft a counter-narrative item for an organisation; prints it as JSON")
        .requiredOption("--org <name>", "the owner organisation")
        .requiredOption("--title <text>", "its title")
        .requiredOption("--narrative <names...>", `narratives it answers: ${NARRATIVES.join(", ")}`)
        .requiredOption("--lang <lang>", COUNTER_LANGS.join(" or "))
        .option("--kind <kind>", COUNTER_KINDS.join(", "), "text")
        .option("--body <text>", "the text (a text item) or a caption", "")
        .option("--url <url>", "where the content is (needed for image, video and url items)")
        .option("--media-hash <hash>", "pdq:<hex>, md5:<hex> or sha256:<hex>")
        .option("--audience <text>", "who it is for", "")
        .option("--tlp <tlp>", TLP_MARKINGS.join(", "), "AMBER+STRICT"),
    ).action(
      async (
        o: OrgOption & {
          title: string;
          narrative: string[];
          lang: string;
          kind: string;
          body: string;
          url?: string;
          mediaHash?: string;
          audience: string;
          tlp: string;
        },
      ) => {
        const bad = o.narrative.find((n) => !isNarrative(n));
        if (bad) throw new RasdError("usage", `--narrative: "${bad}" is not one of ${NARRATIVES.join(", ")}`);
        await withContext(o, async (ctx) => {
          const c = await counterOf(ctx);
          line(
            await c.library.add(await principal(ctx, o.org), {
              kind: oneOf<CounterKind>(COUNTER_KINDS, o.kind, "kind"),
              title: o.title,
              body: o.body,
              url: o.url ?? null,
              mediaHash: o.mediaHash ?? null,
              narratives: o.narrative as Narrative[],
              audience: o.audience,
              lang: oneOf<CounterLang>(COUNTER_LANGS, o.lang, "lang"),
              tlp: oneOf<Tlp>(TLP_MARKINGS, o.tlp, "tlp"),
            }),
          );
        });
      },
    ),
  );
  counter.addCommand(
    withStoreOptions(
      new Command("list")
        .description("the items an organisation sees, as JSON lines")
        .requiredOption("--org <name>", "the organisation")
        .option("--status <status>", "draft, approved or retired"),
    ).action(async (o: OrgOption & { status?: string }) => {
      await withContext(o, async (ctx) => {
        const c = await counterOf(ctx);
        const status = o.status ? oneOf(["draft", "approved", "retired"] as const, o.status, "status") : undefined;
        for (const item of await c.library.list(await principal(ctx, o.org), status)) line(item);
      });
    }),
  );
  counter.addCommand(
    withStoreOptions(
      new Command("edit")
        .description("edit a draft of the organisation (options not given keep their value); prints it as JSON")
        .argument("<id>", "the draft's id")
        .requiredOption("--org <name>", "the draft's organisation")
        .option("--title <text>", "its title")
        .option("--narrative <names...>", `narratives it answers: ${NARRATIVES.join(", ")}`)
        .option("--lang <lang>", COUNTER_LANGS.join(" or "))
        .option("--kind <kind>", COUNTER_KINDS.join(", "))
        .option("--body <text>", "the text or caption")
        .option("--url <url>", 'where the content is ("" removes it)')
        .option("--media-hash <hash>", 'pdq:<hex>, md5:<hex> or sha256:<hex> ("" removes it)')
        .option("--audience <text>", "who it is for")
        .option("--tlp <tlp>", TLP_MARKINGS.join(", ")),
    ).action(
      async (
        id: string,
        o: OrgOption & {
          title?: string;
          narrative?: string[];
          lang?: string;
          kind?: string;
          body?: string;
          url?: string;
          mediaHash?: string;
          audience?: string;
          tlp?: string;
        },
      ) => {
        const bad = o.narrative?.find((n) => !isNarrative(n));
        if (bad) throw new RasdError("usage", `--narrative: "${bad}" is not one of ${NARRATIVES.join(", ")}`);
        const patch = {
          ...(o.title !== undefined ? { title: o.title } : {}),
          ...(o.narrative ? { narratives: o.narrative as Narrative[] } : {}),
          ...(o.lang !== undefined ? { lang: oneOf<CounterLang>(COUNTER_LANGS, o.lang, "lang") } : {}),
          ...(o.kind !== undefined ? { kind: oneOf<CounterKind>(COUNTER_KINDS, o.kind, "kind") } : {}),
          ...(o.body !== undefined ? { body: o.body } : {}),
          ...(o.url !== undefined ? { url: o.url } : {}),
          ...(o.mediaHash !== undefined ? { mediaHash: o.mediaHash } : {}),
          ...(o.audience !== undefined ? { audience: o.audience } : {}),
          ...(o.tlp !== undefined ? { tlp: oneOf<Tlp>(TLP_MARKINGS, o.tlp, "tlp") } : {}),
        };
        if (Object.keys(patch).length === 0)
          throw new RasdError("usage", "nothing to change: give at least one option");
        await withContext(o, async (ctx) => {
          const c = await counterOf(ctx);
          line(await c.library.edit(await principal(ctx, o.org), idArg(id), patch));
        });
      },
    ),
  );
  for (const [verb, to] of [
    ["approve", "approved"],
    ["retire", "retired"],
  ] as const)
    counter.addCommand(
      withStoreOptions(
        new Command(verb)
          .description(`${verb} an item of the organisation (as its admin)`)
          .argument("<id>", "the item's id")
          .requiredOption("--org <name>", "the item's organisation"),
      ).action(async (id: string, o: OrgOption) => {
        await withContext(o, async (ctx) => {
          const c = await counterOf(ctx);
          line(await c.library.transition(await principal(ctx, o.org), idArg(id), to));
        });
      }),
    );
  counter.addCommand(
    withStoreOptions(
      new Command("keywords")
        .description("add phrases to a narrative's keyword set (or list every set without --narrative)")
        .requiredOption("--org <name>", "the organisation that curates them")
        .option("--narrative <name>", "the narrative")
        .argument("[phrases...]", "phrases to add"),
    ).action(async (phrases: string[], o: OrgOption & { narrative?: string }) => {
      await withContext(o, async (ctx) => {
        const c = await counterOf(ctx);
        if (!o.narrative) {
          for (const k of await c.library.keywords()) line(k);
          return;
        }
        const narrative = oneOf<Narrative>(NARRATIVES, o.narrative, "narrative");
        for (const k of await c.library.addKeywords(await principal(ctx, o.org), narrative, phrases)) line(k);
      });
    }),
  );
  counter.addCommand(
    withStoreOptions(
      new Command("redirect")
        .description("what POST /v1/redirect answers for a query, with the reasons (tracking tokens included)")
        .requiredOption("--org <name>", "the organisation asking")
        .argument("<query>", "a search query or a post's text")
        .option("--lang <lang>", COUNTER_LANGS.join(" or "))
        .option("--url <url>", "a post's link")
        .option("--media-hash <hash>", "a post's media hash"),
    ).action(async (query: string, o: OrgOption & { lang?: string; url?: string; mediaHash?: string }) => {
      await withContext(o, async (ctx) => {
        const c = await counterOf(ctx);
        line(
          await c.redirect.redirect(await principal(ctx, o.org), {
            query,
            ...(o.lang ? { lang: oneOf<CounterLang>(COUNTER_LANGS, o.lang, "lang") } : {}),
            ...(o.url ? { url: o.url } : {}),
            ...(o.mediaHash ? { mediaHash: o.mediaHash } : {}),
          }),
        );
      });
    }),
  );
  counter.addCommand(
    withStoreOptions(
      new Command("figures")
        .description(
          "campaign figures (reach, CTR with 95% Wilson interval, watch time with 95% t-interval) as JSON lines; --compare A B for two items",
        )
        .requiredOption("--org <name>", "the organisation (items it served or owns)")
        .option("--by <dimension>", COUNTER_GROUPINGS.join(", "), "item")
        .option("--interval <interval>", "day, week or month (with --by period)", "day")
        .option("--days <n>", "the last n days", "30")
        .option("--compare <ids...>", "two item ids to compare"),
    ).action(async (o: OrgOption & { by: string; interval: string; days: string; compare?: string[] }) => {
      const to = Date.now();
      const from = to - Number(o.days) * DAY;
      if (!(Number(o.days) > 0)) throw new RasdError("usage", "--days: a positive number");
      await withContext(o, async (ctx) => {
        const c = await counterOf(ctx);
        const who = await principal(ctx, o.org);
        if (o.compare) {
          if (o.compare.length !== 2) throw new RasdError("usage", "--compare: two item ids");
          const [a, b] = await Promise.all(o.compare.map((id) => c.library.get(who, idArg(id))));
          const shared = a!.narratives.filter((n) => b!.narratives.includes(n));
          line(await c.figures.compare({ from, to, orgId: who.orgId }, a!.id, b!.id, shared));
          return;
        }
        const by = oneOf<CounterGrouping>(COUNTER_GROUPINGS, o.by, "by");
        const interval = oneOf(["day", "week", "month"] as const, o.interval, "interval");
        for (const row of await c.figures.figures({ from, to, orgId: who.orgId }, by, interval)) line(row);
      });
    }),
  );
  return counter;
}
