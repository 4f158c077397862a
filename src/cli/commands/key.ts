/** `rasd key create`: an API key for a person of an organisation, printed once. */

import { Command, Option } from "commander";
import { ROLES } from "../../core/roles.js";
import { AccessService } from "../../services/access.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

export function keyCommand(): Command {
  const key = new Command("key").description("API keys (stored hashed; a key is shown only when it is created)");
  withStoreOptions(
    key
      .command("create")
      .description("create an API key; prints the key alone on stdout, once")
      .requiredOption("--org <name>", "the organisation")
      .addOption(new Option("--role <role>", "what the key may do").choices([...ROLES]).makeOptionMandatory())
      .option("--person <name>", "whose key it is (created if new; default: a generated name)"),
  ).action(async (options: StoreOptions & { org: string; role: string; person?: string }) => {
    await withContext(options, async (ctx) => {
      const org = await ctx.banks.requireOrg(options.org);
      const access = new AccessService(ctx.stores.access, ctx.store);
      const created = await access.createKey(org, options.role, options.person);
      await access.audit({
        orgId: org.id,
        personId: null,
        actor: "cli",
        action: "key.create",
        target: `key:${created.keyId}`,
        detail: { person: created.person.name, role: created.person.role },
        source: "cli",
      });
      process.stdout.write(`${created.token}\n`);
      process.stderr.write(
        `key ${created.keyId} for ${created.person.name} (${created.person.role}, ${org.name}); it will not be shown again\n`,
      );
    });
  });
  return key;
}
