/** `rasd org ...`: organisations of the coalition. */

import { Command, Option } from "../commander.js";
import { ORG_KINDS } from "../../core/model.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

export function orgCommand(): Command {
  const org = new Command("org").description("organisations: governments, platforms, NGOs");

  withStoreOptions(
    org
      .command("create")
      .description("create an organisation")
      .argument("<name>", 'its name, e.g. "Sawab Center"')
      .addOption(new Option("--kind <kind>", "what it is").choices([...ORG_KINDS]).makeOptionMandatory()),
  ).action(async (name: string, options: StoreOptions & { kind: string }) => {
    await withContext(options, async (ctx) => {
      const created = await ctx.banks.createOrg(name, options.kind);
      process.stdout.write(`${created.id}\t${created.name}\t${created.kind}\n`);
    });
  });

  withStoreOptions(org.command("list").description("list organisations").option("--json", "JSON lines")).action(
    async (options: StoreOptions & { json?: boolean }) => {
      await withContext(options, async (ctx) => {
        for (const o of await ctx.store.listOrgs()) {
          process.stdout.write(options.json ? `${JSON.stringify(o)}\n` : `${o.id}\t${o.name}\t${o.kind}\n`);
        }
      });
    },
  );
  return org;
}
