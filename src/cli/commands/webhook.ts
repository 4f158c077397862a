/**
 * `rasd webhook`: an organisation's webhook endpoints (list, enable a disabled one so its
 * held deliveries go out) and rotating a rule's webhook secret (the new one printed once; the
 * old one keeps signing beside it for the overlap). Each change goes to the audit log.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { SealedRuleStore } from "../../services/rule-secrets.js";
import { loadSecretKey } from "../../services/secret-key.js";
import { enableWebhookEndpoint, rotateWebhookSecret } from "../../services/webhook-admin.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

function wholeNumber(value: string, what: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw new RasdError("usage", `${what}: expected a whole number, got "${value}"`);
  return Number(value);
}

function iso(ms: number | null): string {
  return ms === null ? "-" : new Date(ms).toISOString();
}

export function webhookCommand(): Command {
  const webhook = new Command("webhook").description(
    "webhook endpoints (enable a disabled one) and secret rotation; see docs/webhooks.md",
  );
  withStoreOptions(
    webhook
      .command("endpoints")
      .description("list an organisation's webhook endpoints: id, state, since, failures in a row, last error")
      .requiredOption("--org <name>", "the organisation"),
  ).action(async (options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      for (const e of await ctx.stores.endpoints.list(org.id))
        process.stdout.write(
          `${e.id}\t${e.state}\t${iso(e.since)}\t${e.failures}\t${e.origin}\t${e.lastError ?? "-"}\n`,
        );
    });
  });
  withStoreOptions(
    webhook
      .command("enable")
      .description("enable a disabled webhook endpoint again; its held deliveries go out")
      .argument("<id>", "the endpoint's id (rasd webhook endpoints)")
      .requiredOption("--org <name>", "the organisation owning it"),
  ).action(async (id: string, options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const { endpoint, released, wasDisabled } = await enableWebhookEndpoint(
        ctx.stores.endpoints,
        org.id,
        wholeNumber(id, "id"),
      );
      await ctx.stores.access.audit({
        orgId: org.id,
        personId: null,
        actor: "cli",
        action: "webhook_endpoint.enable",
        target: `webhook_endpoint:${endpoint.id}`,
        detail: { origin: endpoint.origin, was_disabled: wasDisabled, released },
        source: "cli",
      });
      process.stderr.write(
        `endpoint ${endpoint.id} (${endpoint.origin}) enabled; ${released} held deliveries will go out\n`,
      );
    });
  });
  withStoreOptions(
    webhook
      .command("rotate-secret")
      .description("give a rule's webhook a new secret, printed once on stdout; the old one signs beside it meanwhile")
      .requiredOption("--org <name>", "the organisation owning the rule")
      .requiredOption("--rule <id>", "the rule's id")
      .option("--action <index>", "the webhook's position in the rule's actions", "0")
      .option(
        "--overlap-hours <h>",
        "how long the old secret still signs (default RASD_WEBHOOK_ROTATION_OVERLAP_HOURS)",
      ),
  ).action(async (options: StoreOptions & { org: string; rule: string; action: string; overlapHours?: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const rules = new SealedRuleStore(ctx.stores.rules, loadSecretKey(ctx.config));
      const rule = await rules.get(wholeNumber(options.rule, "--rule"));
      if (!rule || rule.orgId !== org.id)
        throw new RasdError("not_found", `${org.name} has no rule with id ${options.rule}`);
      const hours = options.overlapHours === undefined ? undefined : Number(options.overlapHours);
      if (hours !== undefined && !(hours >= 0 && hours <= 8760))
        throw new RasdError("usage", `--overlap-hours: expected 0..8760, got "${options.overlapHours}"`);
      const index = wholeNumber(options.action, "--action");
      const rotated = await rotateWebhookSecret(rules, rule, index, {
        overlapMs: hours === undefined ? ctx.config.webhooks.rotationOverlapMs : Math.round(hours * 3_600_000),
      });
      await ctx.stores.access.audit({
        orgId: org.id,
        personId: null,
        actor: "cli",
        action: "rule.rotate_secret",
        target: `rule:${rule.id}`,
        detail: { action_index: index, previous_until: iso(rotated.previousUntil) },
        source: "cli",
      });
      process.stdout.write(`${rotated.secret}\n`);
      process.stderr.write(
        `rule ${rule.id} actions[${index}]: new secret (shown once); the old one also signs until ${iso(rotated.previousUntil)}\n`,
      );
    });
  });
  return webhook;
}
