/**
 * `rasd link` and `rasd domains` (issue 19, docs/links.md): follow a link hop by hop and
 * match every hop against every bank; check banked links now (one, or every one due, in this
 * process — a running worker checks them on its own schedule); show links' liveness; and the
 * domains a member lists as its own, whose live banked links it is alerted to. Link fetches
 * go through the SSRF-safe agent: private addresses only with RASD_LINK_ALLOW_PRIVATE=1.
 */

import { hostname } from "node:os";
import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { AccessService } from "../../services/access.js";
import { LinkExpander, distinctHops } from "../../services/links/expander.js";
import { DEFAULT_LINK_HTTP, type LinkHttp } from "../../services/links/follow.js";
import { LinkLiveness } from "../../services/links/liveness.js";
import { domainName } from "../../services/links/service.js";
import type { Link, LinkState } from "../../storage/ports/index.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

const STATES: readonly LinkState[] = ["unchecked", "online", "removed", "error"];

function http(ctx: Context): LinkHttp {
  const l = ctx.config.links;
  return { ...DEFAULT_LINK_HTTP, allowPrivate: l.allowPrivate, timeoutMs: l.timeoutMs, maxHops: l.maxHops };
}

function liveness(ctx: Context): LinkLiveness {
  const l = ctx.config.links;
  return new LinkLiveness(
    {
      links: ctx.stores.links,
      signals: ctx.store,
      access: new AccessService(ctx.stores.access, ctx.store),
      http: http(ctx),
      shorteners: ctx.shorteners,
      // The alert's item is queued; a running worker matches it and sends the webhooks.
      submit: async (item) => (await ctx.stores.content.accept([item]))[0]!,
    },
    {
      owner: `cli:${hostname()}:${process.pid}`,
      checkMs: l.checkHours * 3_600_000,
      hostGapMs: l.hostGapMs,
      concurrency: l.concurrency,
    },
  );
}

const iso = (ms: number | null): string => (ms === null ? "-" : new Date(ms).toISOString());

function line(l: Link): string {
  return `${l.id}\t${l.status}\t${l.lastHttpStatus ?? "-"}\t${iso(l.lastCheckedAt)}\t${iso(l.firstOfflineAt)}\t${l.url}\n`;
}

async function audit(ctx: Context, orgId: number, action: string, target: string): Promise<void> {
  await ctx.stores.access.audit({ orgId, personId: null, actor: "cli", action, target, detail: {}, source: "cli" });
}

export function linkCommand(): Command {
  const link = new Command("link").description(
    "links that stay down: follow a link's redirects, check banked links' liveness, show their status (docs/links.md)",
  );
  withStoreOptions(
    link
      .command("expand")
      .description("follow URL hop by hop (HEAD, then GET when refused) and match every hop against every bank")
      .argument("<url>", "the link (defanged forms are accepted)")
      .option("--json", "print the chain and matches as JSON"),
  ).action(async (url: string, options: StoreOptions & { json?: boolean }) => {
    await withContext(options, async (ctx) => {
      const expander = new LinkExpander(
        { links: ctx.stores.links, http: http(ctx), shorteners: ctx.shorteners },
        "all",
      );
      const matcher = await ctx.matcher();
      const chain = await expander.expand(url, { orgId: 0, itemId: null });
      const hops = distinctHops(chain).map((u) => {
        try {
          return { url: u, matches: matcher.matchUrl(u).matches };
        } catch {
          return { url: u, matches: [] };
        }
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ chain, hops }, null, 2)}\n`);
        return;
      }
      for (const h of chain.hops)
        process.stdout.write(
          `${h.method}\t${h.status ?? "-"}\t${h.ms} ms\t${h.url}${h.location ? ` -> ${h.location}` : ""}${h.error ? `\t${h.error}` : ""}\n`,
        );
      for (const h of hops)
        for (const m of h.matches)
          process.stdout.write(`match\t${h.url}\tsignal ${m.signalId}\tbank ${m.bankId}\t${m.type}\n`);
      process.stdout.write(chain.error ? `stopped: ${chain.error}\n` : `final: ${chain.finalUrl}\n`);
    });
  });
  withStoreOptions(
    link
      .command("check")
      .description("enrol banked URLs, then check links now: one (--id or --url) or every one due (paced per host)")
      .option("--id <n>", "the link's id", (v) => Number(v))
      .option("--url <url>", "the link's canonical URL"),
  ).action(async (options: StoreOptions & { id?: number; url?: string }) => {
    await withContext(options, async (ctx) => {
      const checker = liveness(ctx);
      const enrolled = await checker.enrol();
      if (enrolled) process.stderr.write(`enrolled ${enrolled} banked URLs\n`);
      let id = options.id;
      if (options.url !== undefined) {
        const found = await ctx.stores.links.getByUrl(options.url.replace(/^https?:\/\//i, ""));
        if (!found) throw new RasdError("not_found", `no banked link ${options.url}`);
        id = found.id;
      }
      if (id !== undefined) {
        if (!Number.isInteger(id) || id < 1) throw new RasdError("usage", "--id: expected a link id");
        process.stdout.write(line(await checker.checkNow(id)));
        return;
      }
      let checked = 0;
      for (let n = await checker.round(); n > 0; n = await checker.round()) checked += n;
      process.stderr.write(
        `checked ${checked} links due (hosts checked again within RASD_LINK_HOST_GAP_MS wait their turn)\n`,
      );
    });
  });
  withStoreOptions(
    link
      .command("status")
      .description(
        "banked links' liveness (id, status, HTTP status, last check, first seen offline, URL); --url: its history",
      )
      .option("--status <s>", `only links in this state (${STATES.join(", ")})`)
      .option("--host <host>", "only links on this host")
      .option("--url <url>", "one link's checks, newest first, with each redirect chain")
      .option("--limit <n>", "at most this many links", (v) => Number(v), 100),
  ).action(async (options: StoreOptions & { status?: string; host?: string; url?: string; limit: number }) => {
    await withContext(options, async (ctx) => {
      if (options.status !== undefined && !(STATES as readonly string[]).includes(options.status))
        throw new RasdError("usage", `--status: expected one of ${STATES.join(", ")}, got "${options.status}"`);
      if (options.url !== undefined) {
        const l = await ctx.stores.links.getByUrl(options.url.replace(/^https?:\/\//i, ""));
        if (!l) throw new RasdError("not_found", `no banked link ${options.url}`);
        process.stdout.write(line(l));
        for (const c of await ctx.stores.links.checks(l.id))
          process.stdout.write(
            `  ${iso(c.checkedAt)}\t${c.status}\t${c.detail}\t${c.hops.map((h) => `${h.method} ${h.status ?? "-"} ${h.url}`).join(" | ")}\n`,
          );
        return;
      }
      const banks = (await ctx.store.listBanks()).map((b) => b.id);
      const links = await ctx.stores.links.list({
        bankIds: banks,
        limit: options.limit,
        ...(options.status ? { status: options.status as LinkState } : {}),
        ...(options.host ? { host: options.host.toLowerCase() } : {}),
      });
      for (const l of links) process.stdout.write(line(l));
    });
  });
  return link;
}

export function domainsCommand(): Command {
  const domains = new Command("domains").description(
    "a member's own domains: live banked links on them are alerted to it (webhook event link.alert; docs/links.md)",
  );
  withStoreOptions(
    domains
      .command("add")
      .description("list DOMAIN (and its subdomains) as the organisation's own")
      .argument("<domain>")
      .requiredOption("--org <name>", "the organisation"),
  ).action(async (domain: string, options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const d = await ctx.stores.links.addDomain(org.id, domainName(domain), Date.now());
      await audit(ctx, org.id, "domain.add", `domain:${d.domain}`);
      process.stdout.write(`${d.domain}\n`);
    });
  });
  withStoreOptions(
    domains
      .command("list")
      .description("the organisation's domains (every member's with their organisation when --org is left out)")
      .option("--org <name>", "the organisation"),
  ).action(async (options: StoreOptions & { org?: string }) => {
    await withContext(options, async (ctx) => {
      const org = options.org === undefined ? undefined : await ctx.banks.requireOrg(options.org);
      const names = new Map((await ctx.store.listOrgs()).map((o) => [o.id, o.name]));
      for (const d of await ctx.stores.links.listDomains(org?.id))
        process.stdout.write(`${d.domain}\t${names.get(d.orgId) ?? d.orgId}\t${iso(d.createdAt)}\n`);
    });
  });
  withStoreOptions(
    domains
      .command("remove")
      .description("take DOMAIN off the organisation's list")
      .argument("<domain>")
      .requiredOption("--org <name>", "the organisation"),
  ).action(async (domain: string, options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const d = domainName(domain);
      if (!(await ctx.stores.links.removeDomain(org.id, d)))
        throw new RasdError("not_found", `domain ${d} is not on ${org.name}'s list`);
      await audit(ctx, org.id, "domain.remove", `domain:${d}`);
    });
  });
  return domains;
}
