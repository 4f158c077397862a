/**
 * `rasd audit verify`: checks the audit log's hash chains (one per organisation, and one for
 * entries of none) and prints each chain's state; exit status 1 when a link is broken, naming
 * the entry. Each whole chain's head hash is printed: kept somewhere the database's writers
 * cannot reach, it shows a later rewrite of the whole chain too.
 */

import { Command } from "commander";
import { verifyAudit } from "../../services/audit-verify.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

export function auditCommand(): Command {
  const audit = new Command("audit").description("the audit log (hash-chained per organisation)");
  withStoreOptions(
    audit
      .command("verify")
      .description("check the audit log's hash chains; exit 1 and name the first broken link of any chain")
      .option("--org <name>", "check this organisation's chain only"),
  ).action(async (options: StoreOptions & { org?: string }) => {
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
            : `${name}: ${c.entries} entries, unbroken, head ${c.head}\n`,
        );
      }
      if (result.chains.length === 0) process.stdout.write("the audit log is empty\n");
      if (!result.ok) process.exitCode = 1;
    });
  });
  return audit;
}
