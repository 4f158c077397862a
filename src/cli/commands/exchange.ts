/**
 * `rasd exchange`: an organisation's exchanges — feeds from another rasd (`rasd`), a TAXII 2.1
 * collection (`taxii`) or Meta's ThreatExchange (`fb_threatexchange`) fetched into a bank of
 * the exchange's name (docs/exchanges.md). Credentials are read from a JSON file (never from
 * the command line, where other users could see them) and stored sealed; `show` never prints
 * them. `apis` lists the exchange APIs with their settings; `update` turns an exchange on or
 * off and changes its settings (merged; a null clears one) or credentials. `fetch` fetches now, in this process; a running worker fetches due exchanges itself.
 * Each change goes to the organisation's audit log.
 */

import { readFileSync } from "node:fs";
import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { TLP_MARKINGS, type Tlp } from "../../core/model.js";
import type { JsonSchema } from "../../services/exchanges/api.js";
import { DEFAULT_EXCHANGE_HTTP } from "../../services/exchanges/http.js";
import { EXCHANGE_APIS } from "../../services/exchanges/registry.js";
import { ExchangeService } from "../../services/exchanges/service.js";
import { exchangeJson, reportJson } from "../../services/exchanges/views.js";
import { loadSecretKey } from "../../services/secret-key.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

type OrgOptions = StoreOptions & { org: string };

function service(ctx: Context): ExchangeService {
  return new ExchangeService(ctx.stores.exchanges, ctx.banks, loadSecretKey(ctx.config), {
    ...DEFAULT_EXCHANGE_HTTP,
    allowPrivate: ctx.config.exchangeAllowPrivate,
  });
}

function jsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    throw new RasdError("usage", `${what}: not JSON (${(error as Error).message})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new RasdError("usage", `${what}: expected a JSON object`);
  return v as Record<string, unknown>;
}

function credentialsFrom(file: string | undefined): Record<string, unknown> | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RasdError("file.unreadable", `--credentials-file ${file}: ${(error as Error).message}`);
  }
  return jsonObject(text, `--credentials-file ${file}`);
}

async function audit(ctx: Context, orgId: number, action: string, target: string, detail: Record<string, unknown>) {
  await ctx.stores.access.audit({ orgId, personId: null, actor: "cli", action, target, detail, source: "cli" });
}

export function exchangeCommand(): Command {
  const exchange = new Command("exchange").description(
    "exchanges: feeds from another rasd, a TAXII 2.1 collection or ThreatExchange, fetched into a bank (docs/exchanges.md)",
  );
  withStoreOptions(
    exchange
      .command("list")
      .description("an organisation's exchanges: name, API, enabled, up to date, items fetched, last fetch, last error")
      .requiredOption("--org <name>", "the organisation"),
  ).action(async (options: OrgOptions) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      for (const e of await service(ctx).list(org.id))
        process.stdout.write(
          `${e.name}\t${e.api}\t${e.enabled ? "enabled" : "disabled"}\t${e.upToDate ? "up-to-date" : "behind"}\t${e.fetchedItems}\t${e.fetchEndedAt === null ? "-" : new Date(e.fetchEndedAt).toISOString()}\t${e.lastError ?? "-"}\n`,
        );
    });
  });
  withStoreOptions(
    exchange
      .command("add")
      .description("add an exchange and its bank (named as the exchange)")
      .argument("<name>", "CAPS_AND_UNDERSCORE, unique")
      .requiredOption("--org <name>", "the organisation owning it")
      .requiredOption(
        "--api <api>",
        "an exchange API (`rasd exchange apis`): rasd, hma, taxii, tat, fb_threatexchange, sample",
      )
      .requiredOption("--config <json>", 'the API\'s settings, e.g. \'{"url":"https://rasd.peer.example/"}\'')
      .option("--credentials-file <file>", 'a JSON file with the credentials, e.g. {"api_key":"rasd_..."}')
      .option("--tlp <marking>", "the bank's TLP marking (default AMBER+STRICT)")
      .option("--disabled", "add it disabled (not fetched until enabled)"),
  ).action(
    async (
      name: string,
      options: OrgOptions & { api: string; config: string; credentialsFile?: string; tlp?: string; disabled?: boolean },
    ) => {
      const tlp = options.tlp?.toUpperCase();
      if (tlp !== undefined && !(TLP_MARKINGS as readonly string[]).includes(tlp))
        throw new RasdError("usage", `--tlp: one of ${TLP_MARKINGS.join(", ")}`);
      const credentials = credentialsFrom(options.credentialsFile);
      await withContext(options, async (ctx) => {
        const org = await ctx.banks.requireOrg(options.org);
        const e = await service(ctx).create({
          orgId: org.id,
          name,
          api: options.api,
          config: jsonObject(options.config, "--config"),
          ...(credentials ? { credentials } : {}),
          enabled: !options.disabled,
          ...(tlp ? { tlp: tlp as Tlp } : {}),
        });
        await audit(ctx, org.id, "exchange.create", `exchange:${e.id}`, {
          name: e.name,
          api: e.api,
          bank_id: e.bankId,
          credentials: e.credentials !== null,
        });
        process.stderr.write(`exchange ${e.name} (${e.api}) added, writing into bank ${e.name}\n`);
      });
    },
  );
  exchange
    .command("apis")
    .description("the exchange APIs: name, whether rasd can fetch it, its settings and credentials (* required)")
    .action(() => {
      const fields = (schema: JsonSchema | null) =>
        schema === null
          ? "-"
          : Object.keys(schema.properties)
              .map((k) => `${k}${schema.required.includes(k) ? "*" : ""}`)
              .join(",") || "-";
      for (const api of EXCHANGE_APIS)
        process.stdout.write(
          `${api.name}\t${api.supported ? "supported" : "not-supported"}\t${fields(api.configSchema)}\t${fields(api.credentialsSchema)}\t${api.description}\n`,
        );
    });
  withStoreOptions(
    exchange
      .command("update")
      .description(
        "change an exchange: enable or disable it, merge settings into its own (a null clears one), replace or clear its credentials",
      )
      .argument("<name>")
      .requiredOption("--org <name>", "the organisation owning it")
      .option("--enable", "fetch it in the background")
      .option("--disable", "fetch it only when asked (`rasd exchange fetch`)")
      .option("--config <json>", "settings to merge, e.g. '{\"interval_seconds\":300}' or '{\"bank_id\":null}'")
      .option("--credentials-file <file>", "a JSON file with new credentials (replacing the stored ones)")
      .option("--clear-credentials", "remove the stored credentials"),
  ).action(
    async (
      name: string,
      options: OrgOptions & {
        enable?: boolean;
        disable?: boolean;
        config?: string;
        credentialsFile?: string;
        clearCredentials?: boolean;
      },
    ) => {
      if (options.enable && options.disable) throw new RasdError("usage", "--enable and --disable: one or the other");
      if (options.credentialsFile !== undefined && options.clearCredentials)
        throw new RasdError("usage", "--credentials-file and --clear-credentials: one or the other");
      const config = options.config === undefined ? undefined : jsonObject(options.config, "--config");
      const credentials = options.clearCredentials ? null : credentialsFrom(options.credentialsFile);
      const enabled = options.enable ? true : options.disable ? false : undefined;
      if (enabled === undefined && config === undefined && credentials === undefined)
        throw new RasdError(
          "usage",
          "nothing to change: give --enable, --disable, --config, --credentials-file or --clear-credentials",
        );
      await withContext(options, async (ctx) => {
        const org = await ctx.banks.requireOrg(options.org);
        const e = await service(ctx).update(org.id, name, {
          ...(enabled !== undefined ? { enabled } : {}),
          ...(config !== undefined ? { config } : {}),
          ...(credentials !== undefined ? { credentials } : {}),
        });
        await audit(ctx, org.id, "exchange.update", `exchange:${e.id}`, {
          ...(enabled !== undefined ? { enabled } : {}),
          ...(config !== undefined ? { api_json: Object.keys(config) } : {}),
          ...(credentials !== undefined ? { credentials: credentials === null ? "cleared" : "set" } : {}),
        });
        process.stderr.write(`exchange ${e.name} updated (${e.enabled ? "enabled" : "disabled"})\n`);
      });
    },
  );
  withStoreOptions(
    exchange
      .command("show")
      .description("an exchange's settings and fetch status as JSON (credentials never shown)")
      .argument("<name>")
      .requiredOption("--org <name>", "the organisation owning it"),
  ).action(async (name: string, options: OrgOptions) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const x = service(ctx);
      process.stdout.write(`${JSON.stringify(await exchangeJson(x, await x.get(org.id, name)), null, 2)}\n`);
    });
  });
  withStoreOptions(
    exchange
      .command("fetch")
      .description("fetch an exchange now, in this process; prints what was written and the status")
      .argument("<name>")
      .requiredOption("--org <name>", "the organisation owning it"),
  ).action(async (name: string, options: OrgOptions) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const x = service(ctx);
      const e = await x.get(org.id, name);
      const done = await x.fetchExchange(`cli:${process.pid}`, e.id);
      if (!done) throw new RasdError("conflict", `exchange ${e.name} is being fetched by a worker now; try again`);
      process.stdout.write(
        `${JSON.stringify({ report: reportJson(done.report), status: (await exchangeJson(x, done.exchange)).status }, null, 2)}\n`,
      );
      if (done.report.error !== null) process.exitCode = 1;
    });
  });
  withStoreOptions(
    exchange
      .command("delete")
      .description("delete an exchange and its bank (its signals become tombstones)")
      .argument("<name>")
      .requiredOption("--org <name>", "the organisation owning it")
      .option("--keep-bank", "keep the bank and what it holds"),
  ).action(async (name: string, options: OrgOptions & { keepBank?: boolean }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const x = service(ctx);
      const e = await x.get(org.id, name);
      await x.delete(org.id, name, options.keepBank ?? false);
      await audit(ctx, org.id, "exchange.delete", `exchange:${e.id}`, { name, keep_bank: options.keepBank ?? false });
      process.stderr.write(`exchange ${name} deleted${options.keepBank ? " (its bank kept)" : " with its bank"}\n`);
    });
  });
  return exchange;
}
