/**
 * `rasd key create|list|rotate|revoke`: API keys of an organisation. A key (or a rotated key's
 * new secret) is printed once, alone on stdout; listings never show a secret.
 */

import { Command, Option } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { ROLES } from "../../core/roles.js";
import { AccessService, DEFAULT_ROTATION_OVERLAP_MS, keyExpiry } from "../../services/access.js";
import type { KeyInfo } from "../../storage/ports/index.js";
import { positiveInt } from "../arguments.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration in seconds ("90d", "12h", "30m", "3600s" or "3600"), for `--expires` and `--overlap`. */
export function parseDuration(value: string, what: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(value.trim());
  if (!m) throw new RasdError("usage", `${what}: expected a duration such as 90d, 12h, 30m or 3600s, got "${value}"`);
  return Number(m[1]) * UNITS[m[2] || "s"]!;
}

/** `--expires`: a duration or an ISO 8601 time, within the limits keyExpiry checks. */
function expiryOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d\d-\d\d/.test(value);
  const at = iso ? Date.parse(value) : undefined;
  if (Number.isNaN(at)) throw new RasdError("usage", `--expires: "${value}" is not an ISO 8601 time`);
  try {
    return keyExpiry(at !== undefined ? { expiresAt: at } : { expiresIn: parseDuration(value, "--expires") });
  } catch (error) {
    if (error instanceof RasdError && error.code === "invalid")
      throw new RasdError("usage", error.message.replace(/^expires_(in|at)/, "--expires"));
    throw error;
  }
}

const when = (ms: number | null): string => (ms === null ? "-" : new Date(ms).toISOString());

function state(k: KeyInfo, now: number): string {
  return k.revokedAt !== null ? "revoked" : k.expiresAt !== null && k.expiresAt <= now ? "expired" : "active";
}

function cliAudit(orgId: number, action: string, keyId: number, detail?: Record<string, unknown>) {
  return {
    orgId,
    personId: null,
    actor: "cli",
    action,
    target: `key:${keyId}`,
    source: "cli",
    ...(detail ? { detail } : {}),
  };
}

export function keyCommand(): Command {
  const key = new Command("key").description("API keys (stored hashed; a key is shown only when it is created)");
  withStoreOptions(
    key
      .command("create")
      .description("create an API key; prints the key alone on stdout, once")
      .requiredOption("--org <name>", "the organisation")
      .addOption(new Option("--role <role>", "what the key may do").choices([...ROLES]).makeOptionMandatory())
      .option("--person <name>", "whose key it is (created if new; default: a generated name)")
      .option("--name <label>", "a label for people (what the key is for)")
      .option("--expires <when>", "expire after a duration (90d, 12h, 30m) or at an ISO 8601 time; at most 366 days"),
  ).action(
    async (options: StoreOptions & { org: string; role: string; person?: string; name?: string; expires?: string }) => {
      const expiresAt = expiryOf(options.expires);
      await withContext(options, async (ctx) => {
        const org = await ctx.banks.requireOrg(options.org);
        const access = new AccessService(ctx.stores.access, ctx.store);
        const created = await access.createKey(org, options.role, options.person, {
          ...(options.name !== undefined ? { name: options.name } : {}),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
        });
        await access.audit(
          cliAudit(org.id, "key.create", created.keyId, {
            person: created.person.name,
            role: created.person.role,
            ...(expiresAt !== undefined ? { expires_at: when(expiresAt) } : {}),
          }),
        );
        process.stdout.write(`${created.token}\n`);
        process.stderr.write(
          `key ${created.keyId} for ${created.person.name} (${created.person.role}, ${org.name})` +
            `${expiresAt !== undefined ? `, expires ${when(expiresAt)}` : ""}; it will not be shown again\n`,
        );
      });
    },
  );

  withStoreOptions(
    key
      .command("list")
      .description(
        "an organisation's keys, one a line (tab-separated): id, prefix, state, person, role, name, created, last used, expires",
      )
      .requiredOption("--org <name>", "the organisation"),
  ).action(async (options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const now = Date.now();
      const lines = (await ctx.stores.access.listKeys(org.id)).map((k) =>
        [
          k.keyId,
          `rasd_${k.prefix}_…`,
          state(k, now),
          k.person.name,
          k.person.role,
          k.name ?? "-",
          when(k.createdAt),
          when(k.lastUsedAt),
          when(k.expiresAt),
        ].join("\t"),
      );
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
    });
  });

  withStoreOptions(
    key
      .command("rotate")
      .description(
        "a new secret for a key (same id, person and role), printed once; the old secret keeps working for " +
          `--overlap (default ${DEFAULT_ROTATION_OVERLAP_MS / 3_600_000}h) or stops at once with --revoke-old`,
      )
      .argument("<id>", "the key's id (rasd key list)", positiveInt)
      .requiredOption("--org <name>", "the organisation the key belongs to")
      .option("--overlap <duration>", "how long the old secret still works (e.g. 10m, 1h; at most 7d)")
      .option("--revoke-old", "the old secret stops working at once"),
  ).action(async (id: number, options: StoreOptions & { org: string; overlap?: string; revokeOld?: boolean }) => {
    if (options.revokeOld && options.overlap !== undefined)
      throw new RasdError("usage", "--revoke-old ends the old secret at once; give no --overlap with it");
    const overlapMs = options.revokeOld
      ? 0
      : options.overlap !== undefined
        ? parseDuration(options.overlap, "--overlap") * 1000
        : DEFAULT_ROTATION_OVERLAP_MS;
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const access = new AccessService(ctx.stores.access, ctx.store);
      const info = await access.store.getKey(id);
      if (!info || info.person.orgId !== org.id) throw new RasdError("not_found", `${org.name} has no API key ${id}`);
      const rotated = await access.rotateKey(id, overlapMs);
      await access.audit(cliAudit(org.id, "key.rotate", id, { overlap_seconds: overlapMs / 1000 }));
      process.stdout.write(`${rotated.token}\n`);
      process.stderr.write(
        `key ${id} (${info.person.name}) rotated; the old secret ` +
          `${overlapMs > 0 ? `works until ${when(rotated.key.previousExpiresAt)}` : "no longer works"}\n`,
      );
    });
  });

  withStoreOptions(
    key
      .command("revoke")
      .description("revoke a key: refused from now on (servers that cached it stop within 5 s)")
      .argument("<id>", "the key's id (rasd key list)", positiveInt)
      .requiredOption("--org <name>", "the organisation the key belongs to"),
  ).action(async (id: number, options: StoreOptions & { org: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const access = new AccessService(ctx.stores.access, ctx.store);
      const info = await access.store.getKey(id);
      if (!info || info.person.orgId !== org.id) throw new RasdError("not_found", `${org.name} has no API key ${id}`);
      await access.revokeKey(id);
      await access.audit(cliAudit(org.id, "key.revoke", id));
      process.stderr.write(`key ${id} (${info.person.name}, ${info.person.role}) revoked\n`);
    });
  });
  return key;
}
