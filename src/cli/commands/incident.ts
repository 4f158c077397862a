/**
 * `rasd incident`: the crisis protocol from the command line (docs/crisis.md). The operator
 * acts as an admin of the organisation named by --org (a government one to declare, the
 * declaring one to run the incident); alerts are queued in the database and the running
 * service's webhook worker sends them (within its 100 ms look for incident alerts).
 */

import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { MAX_DECLARE_FILES, computeDebrief, timeline, type Incident } from "../../core/incidents.js";
import { debriefCsv, debriefHtml, debriefView, eventsCsv, incidentView } from "../../report/incident.js";
import { IncidentService, type IncidentActor } from "../../services/incidents.js";
import { hashMedia } from "../../services/media-hashing.js";
import type { RawSignal } from "../../services/signal-input.js";
import { MEDIA_SIGNAL_TYPES } from "../../signals/registry.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

const VIDEO = new Set([".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v"]);

function wholeNumber(value: string, what: string): number {
  if (!/^[1-9][0-9]{0,14}$/.test(value))
    throw new RasdError("usage", `${what}: expected a whole number, got "${value}"`);
  return Number(value);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function service(ctx: Context): IncidentService {
  return new IncidentService({
    incidents: ctx.stores.incidents,
    signals: ctx.store,
    banks: ctx.banks,
    rules: ctx.stores.rules,
    audit: ctx.stores.access,
    endpoints: ctx.stores.endpoints,
  });
}

async function actorOf(ctx: Context, orgName: string): Promise<IncidentActor> {
  const org = await ctx.banks.requireOrg(orgName);
  return { orgId: org.id, personId: null, role: "admin", actor: "cli", source: "cli" };
}

/** Artefacts from --signal TYPE:VALUE, --url and --file (images and videos hashed as submissions are). */
async function artefacts(o: { signal?: string[]; url?: string[]; file?: string[] }): Promise<RawSignal[]> {
  const out: RawSignal[] = [];
  for (const s of o.signal ?? []) {
    const at = s.indexOf(":");
    if (at <= 0)
      throw new RasdError("usage", `--signal: expected TYPE:VALUE (e.g. pdq:<64 hex>), got "${s.slice(0, 40)}"`);
    out.push({ type: s.slice(0, at), value: s.slice(at + 1) });
  }
  for (const u of o.url ?? []) out.push({ type: "url", value: u });
  // The API's limit, so that a declaration means the same whichever way it is made.
  const files = o.file ?? [];
  if (files.length > MAX_DECLARE_FILES)
    throw new RasdError(
      "usage",
      `--file: ${files.length} files given; a declaration takes at most ${MAX_DECLARE_FILES}. ` +
        "Declare with the first ones and add the rest as artefacts (POST /v1/incidents/{id}/artefacts); nothing was declared",
    );
  for (const path of files) {
    const kind = VIDEO.has(extname(path).toLowerCase()) ? "video" : "image";
    const hashed = await hashMedia(await readFile(path), kind, MEDIA_SIGNAL_TYPES[kind], { path });
    for (const [type, value] of Object.entries(hashed.values)) out.push({ type, value });
  }
  return out;
}

async function show(ctx: Context, i: Incident): Promise<ReturnType<typeof incidentView>> {
  const org = (await ctx.store.getOrg(i.orgId))?.name ?? "";
  const bank = (await ctx.store.getBank(i.bankId))?.name ?? "";
  return incidentView(i, { org, bank }, false);
}

export function incidentCommand(): Command {
  const incident = new Command("incident").description(
    "the crisis protocol: declare, list, show, close, debrief incidents and decide variants (docs/crisis.md)",
  );
  withStoreOptions(
    incident
      .command("declare")
      .description(
        "declare an incident as an admin of a government organisation: its bank is shared with every member and every member alerted",
      )
      .requiredOption("--org <name>", "the declaring (government) organisation")
      .requiredOption("--tier <n>", "1, 2 or 3 (criteria in docs/crisis.md)")
      .requiredOption("--title <text>", "a short title")
      .option("--description <text>", "what is known")
      .option("--drill", "an exercise: same protocol, marked so, excluded from real figures")
      .option("--signal <type:value>", "a known artefact's hash or text (repeatable)", collect)
      .option("--url <url>", "a URL where an artefact is (repeatable)", collect)
      .option("--file <path>", "an artefact's image or video, hashed (repeatable)", collect),
  ).action(
    async (
      o: StoreOptions & {
        org: string;
        tier: string;
        title: string;
        description?: string;
        drill?: boolean;
        signal?: string[];
        url?: string[];
        file?: string[];
      },
    ) => {
      await withContext(o, async (ctx) => {
        const signals = await artefacts(o);
        const i = await service(ctx).declare(await actorOf(ctx, o.org), {
          tier: Number(o.tier),
          title: o.title,
          ...(o.description !== undefined ? { description: o.description } : {}),
          drill: o.drill === true,
          signals,
        });
        process.stdout.write(`${JSON.stringify(await show(ctx, i), null, 2)}\n`);
        process.stderr.write(
          `incident ${i.id} declared${i.drill ? " (EXERCISE)" : ""}; ${signals.length} artefacts shared\n`,
        );
      });
    },
  );
  withStoreOptions(
    incident
      .command("list")
      .description("incidents, newest first: id, status, tier, drill, declared at, title")
      .option("--status <status>", "active or closed"),
  ).action(async (o: StoreOptions & { status?: string }) => {
    if (o.status !== undefined && o.status !== "active" && o.status !== "closed")
      throw new RasdError("usage", "--status: active or closed");
    await withContext(o, async (ctx) => {
      for (const i of await service(ctx).list(o.status as "active" | "closed" | undefined))
        process.stdout.write(
          `${i.id}\t${i.status}\ttier ${i.tier}\t${i.drill ? "EXERCISE" : "real"}\t${new Date(i.declaredAt).toISOString()}\t${i.title}\n`,
        );
    });
  });
  withStoreOptions(
    incident.command("show").description("one incident and its timeline (JSON)").argument("<id>", "the incident's id"),
  ).action(async (id: string, o: StoreOptions) => {
    await withContext(o, async (ctx) => {
      const svc = service(ctx);
      const i = await svc.get(wholeNumber(id, "id"));
      const events = timeline(await svc.events(i.id)).map((e) => ({ ...e, at: new Date(e.at).toISOString() }));
      process.stdout.write(`${JSON.stringify({ incident: await show(ctx, i), timeline: events }, null, 2)}\n`);
    });
  });
  withStoreOptions(
    incident
      .command("close")
      .description("close an incident (members alerted: incident.closed)")
      .argument("<id>", "the incident's id")
      .requiredOption("--org <name>", "the declaring organisation")
      .option("--improve <text>", "the debrief's 'what to improve'"),
  ).action(async (id: string, o: StoreOptions & { org: string; improve?: string }) => {
    await withContext(o, async (ctx) => {
      const i = await service(ctx).close(await actorOf(ctx, o.org), wholeNumber(id, "id"), o.improve);
      process.stderr.write(`incident ${i.id} closed\n`);
    });
  });
  withStoreOptions(
    incident
      .command("debrief")
      .description(
        "the debrief, computed from the incident's stored events: json (default), csv, html, or the events themselves",
      )
      .argument("<id>", "the incident's id")
      .option("--format <format>", "json, csv, html or events (the events CSV)", "json"),
  ).action(async (id: string, o: StoreOptions & { format: string }) => {
    if (!["json", "csv", "html", "events"].includes(o.format))
      throw new RasdError("usage", "--format: json, csv, html or events");
    await withContext(o, async (ctx) => {
      const svc = service(ctx);
      const i = await svc.get(wholeNumber(id, "id"));
      const events = await svc.events(i.id);
      if (o.format === "events") return void process.stdout.write(eventsCsv(events));
      const orgs = new Map((await ctx.store.listOrgs()).map((x) => [x.id, x.name]));
      const view = debriefView(await show(ctx, i), computeDebrief(i.id, i.drill, events), orgs);
      process.stdout.write(
        o.format === "csv"
          ? debriefCsv(view)
          : o.format === "html"
            ? debriefHtml(view)
            : `${JSON.stringify(view, null, 2)}\n`,
      );
    });
  });
  withStoreOptions(
    incident
      .command("variants")
      .description(
        "an incident's proposed variants (id, status, type, distance, seen, value); --accept or --reject one",
      )
      .argument("<id>", "the incident's id")
      .option("--accept <variant>", "accept a proposed variant into the incident bank (needs --org)")
      .option("--reject <variant>", "reject a proposed variant (needs --org)")
      .option("--org <name>", "the declaring organisation"),
  ).action(async (id: string, o: StoreOptions & { accept?: string; reject?: string; org?: string }) => {
    await withContext(o, async (ctx) => {
      const svc = service(ctx);
      const incidentId = wholeNumber(id, "id");
      const decide = o.accept ?? o.reject;
      if (decide !== undefined) {
        if (o.accept !== undefined && o.reject !== undefined)
          throw new RasdError("usage", "--accept or --reject, not both");
        if (!o.org) throw new RasdError("usage", "--org: the declaring organisation decides variants");
        const v = await svc.decideVariant(
          await actorOf(ctx, o.org),
          incidentId,
          wholeNumber(decide, "variant"),
          o.accept !== undefined,
        );
        process.stderr.write(`variant ${v.id} ${v.status}\n`);
        return;
      }
      for (const v of await svc.variants(incidentId))
        process.stdout.write(
          `${v.id}\t${v.status}\t${v.type}\t${v.distance ?? v.similarity ?? "-"}\t${v.seen}\t${v.value.slice(0, 80)}\n`,
        );
    });
  });
  return incident;
}
