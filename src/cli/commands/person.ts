/**
 * `rasd person password`: set the password a person signs in to the web app with;
 * `rasd person disable`: end a person's password, sessions and API keys;
 * `rasd person role`: give a person another role (their sessions end; their keys act with it).
 */

import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { Command } from "../commander.js";
import { RasdError } from "../../core/errors.js";
import { ROLES, isRole } from "../../core/roles.js";
import { AccessService } from "../../services/access.js";
import { AccountService, MAX_PASSWORD, MIN_PASSWORD } from "../../services/accounts.js";
import { withContext, withStoreOptions, type Context, type StoreOptions } from "../context.js";

/** Reads one line: from a pipe as it comes, on a terminal without echoing it. */
async function readPassword(prompt: string): Promise<string> {
  const tty = process.stdin.isTTY === true;
  if (tty) process.stderr.write(prompt);
  const silent = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: tty ? silent : undefined, terminal: tty });
  try {
    for await (const line of rl) return line.replace(/\r$/, "");
    return "";
  } finally {
    rl.close();
    if (tty) process.stderr.write("\n");
  }
}

/** The organisation, the access service and the person named, or "not_found". */
async function personOf(ctx: Context, orgName: string, name: string) {
  const org = await ctx.banks.requireOrg(orgName);
  const access = new AccessService(ctx.stores.access, ctx.store);
  const who = (await access.store.listPeople(org.id)).find((p) => p.name === name);
  if (!who) throw new RasdError("not_found", `${org.name} has no person named "${name}"`);
  return { org, access, who };
}

export function personCommand(): Command {
  const person = new Command("person").description("people of member organisations (for the web app)");
  withStoreOptions(
    person
      .command("password")
      .description(
        `set a person's web sign-in password (${MIN_PASSWORD}+ characters), read from stdin or a prompt; ends their sessions`,
      )
      .requiredOption("--org <name>", "the organisation")
      .requiredOption("--person <name>", "the person (they must exist: rasd key create makes people)"),
  ).action(async (options: StoreOptions & { org: string; person: string }) => {
    const password = await readPassword(`password for ${options.person} (${options.org}): `);
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD)
      throw new RasdError("usage", `the password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    await withContext(options, async (ctx) => {
      const { org, access, who } = await personOf(ctx, options.org, options.person);
      await new AccountService(ctx.stores.accounts, access, ctx.store).setPassword(who.id, password);
      await access.audit({
        orgId: org.id,
        personId: who.id,
        actor: "cli",
        action: "person.password",
        target: `person:${who.id}`,
        source: "cli",
      });
      process.stderr.write(`password set for ${who.name} (${who.role}, ${org.name}); their sessions were ended\n`);
    });
  });
  withStoreOptions(
    person
      .command("disable")
      .description(
        "disable a person: their password is cleared, their sessions and API keys end (set a password to re-enable)",
      )
      .requiredOption("--org <name>", "the organisation")
      .requiredOption("--person <name>", "the person"),
  ).action(async (options: StoreOptions & { org: string; person: string }) => {
    await withContext(options, async (ctx) => {
      const { org, access, who } = await personOf(ctx, options.org, options.person);
      const revoked = await new AccountService(ctx.stores.accounts, access, ctx.store).disable(who.id);
      await access.audit({
        orgId: org.id,
        personId: who.id,
        actor: "cli",
        action: "person.disable",
        target: `person:${who.id}`,
        detail: { name: who.name, keys_revoked: revoked },
        source: "cli",
      });
      process.stderr.write(
        `${who.name} (${who.role}, ${org.name}) is disabled: password cleared, sessions ended, ${revoked} API key(s) revoked\n`,
      );
    });
  });
  withStoreOptions(
    person
      .command("role")
      .description("give a person another role of their organisation: their API keys act with it, their sessions end")
      .requiredOption("--org <name>", "the organisation")
      .requiredOption("--person <name>", "the person")
      .requiredOption("--role <role>", `one of ${[...ROLES].join(", ")}`),
  ).action(async (options: StoreOptions & { org: string; person: string; role: string }) => {
    await withContext(options, async (ctx) => {
      if (!isRole(options.role))
        throw new RasdError("invalid", `--role: "${options.role}" is not one of ${[...ROLES].join(", ")}`);
      const { org, access, who } = await personOf(ctx, options.org, options.person);
      await new AccountService(ctx.stores.accounts, access, ctx.store).setRole(who.id, options.role);
      await access.audit({
        orgId: org.id,
        personId: who.id,
        actor: "cli",
        action: "person.role",
        target: `person:${who.id}`,
        detail: { name: who.name, from: who.role, to: options.role },
        source: "cli",
      });
      process.stderr.write(`${who.name} (${org.name}) is now ${options.role} (was ${who.role}); sessions ended\n`);
    });
  });
  return person;
}
