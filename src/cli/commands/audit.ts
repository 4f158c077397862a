/**
 * `rasd audit verify`: checks the audit log's hash chains (one per organisation, and one for
 * entries of none) and prints each chain's state; exit status 1 when a link is broken, naming
 * the entry. Each whole chain's head hash is printed: kept somewhere the database's writers
 * cannot reach, it shows a later rewrite of the whole chain too.
 */

import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { verifyAudit } from "../../services/audit-verify.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

function parseExpect(text: string, org: string | undefined): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!m) throw new RasdError("usage", `--expect: expected <number>:<64 hex digits>, got "${text}"`);
  if (org === undefined) throw new RasdError("usage", "--expect needs --org: a recorded head belongs to one chain");
  return { seq: Number(m[1]), hash: m[2]! };
}

export function auditCommand(): Command {
  const audit = new Command("audit").description("the audit log (hash-chained per organisation)");
  withStoreOptions(
    audit
      .command("verify")
      .description("check the audit log's hash chains; exit 1 and name the first broken link of any chain")
      .option("--org <name>", "check this organisation's chain only")
      .option(
        "--expect <number:hash>",
        "with --org: entry <number> of the chain must still have <hash> (a head printed by an earlier check, kept elsewhere)",
      ),
  ).action(async (options: StoreOptions & { org?: string; expect?: string }) => {
    const expected = options.expect === undefined ? undefined : parseExpect(options.expect, options.org);
    await withContext(options, async (ctx) => {
      const orgs = new Map((await ctx.store.listOrgs()).map((o) => [o.id, o.name]));
      const only = options.org ? [(await ctx.banks.requireOrg(options.org)).id] : undefined;
      const result = await verifyAudit(ctx.stores.access, only);
      for (const c of result.chains) {
        const name = c.chain === 0 ? "(no organisation)" : (orgs.get(c.chain) ?? `organisation ${c.chain}`);
        const b = c.broken;
        process.stdout.write(
          b
            ? `${name}: BROKEN at ${b.id === null ? "its end" : `entry ${b.id}`} (number ${b.seq}): ${b.reason}\n`
            : `${name}: ${c.entries} entries, unbroken, head ${c.entries}:${c.head}\n`,
        );
      }
      if (result.chains.length === 0) process.stdout.write("the audit log is empty\n");
      if (!result.ok) process.exitCode = 1;
      if (expected && only) {
        const [entry] = await ctx.stores.access.auditChain(only[0]!, expected.seq - 1, 1);
        const holds = entry?.seq === expected.seq && entry.hash === expected.hash;
        process.stdout.write(
          holds
            ? `entry number ${expected.seq} still has the recorded hash\n`
            : `REWRITTEN: entry number ${expected.seq} ${entry?.seq === expected.seq ? `now has hash ${entry.hash}` : "is missing"}, not the recorded ${expected.hash}\n`,
        );
        if (!holds) process.exitCode = 1;
      }
    });
  });
  return audit;
}
