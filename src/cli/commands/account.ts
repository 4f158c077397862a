/**
 * `rasd account match|add|list`: ban evasion from the command line. An account is given as
 * JSON (an argument, or - for standard input): {"platform":"twitter","handle":"...","name":...}.
 * `match` exits 0 when a suspended account matched, 1 when none did (like grep).
 */

import { Command } from "../commander.js";
import { describeError } from "../../core/errors.js";
import { canonicalAccountJson, parseAccountJson } from "../../kernels/accounts/index.js";
import { ACCOUNT_INDEX, accountRecord } from "../../signals/types/account.js";
import { withContext, withStoreOptions, type StoreOptions } from "../context.js";

async function readArg(arg: string): Promise<string> {
  if (arg !== "-") return arg;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

interface JsonOption extends StoreOptions {
  json?: boolean;
}

export function accountCommand(): Command {
  const account = new Command("account").description("suspended accounts and ban evasion");

  withStoreOptions(
    account
      .command("match")
      .description("match an account (JSON) against the suspended accounts in every bank")
      .argument("<json>", "the account as JSON, or - to read standard input")
      .option("--json", "JSON output"),
  ).action(async (arg: string, options: JsonOption) => {
    const value = canonicalAccountJson(accountRecord(await readArg(arg)));
    await withContext(options, async (ctx) => {
      const matcher = await ctx.matcher();
      const result = matcher.match("account", value);
      const index = matcher.indexOfKind(ACCOUNT_INDEX);
      const matches = result.matches.flatMap((m) => (m.type === "account" ? [m] : []));
      if (options.json) {
        const out = matches.map((m) => ({ ...m, account: index.get(m.signalId) }));
        process.stdout.write(`${JSON.stringify({ matches: out, suppressedBy: result.suppressedBy })}\n`);
      } else {
        for (const m of matches) {
          const banked = index.get(m.signalId);
          const evidence = m.evidence.map((e) => `${e.kind}:${e.strength.toFixed(2)}`).join(",");
          process.stdout.write(
            `bank=${m.bankId} signal=${m.signalId} handle=${banked?.handle ?? "?"} score=${m.similarity.toFixed(3)} evidence=${evidence}${m.suppressed ? " suppressed" : ""}\n`,
          );
        }
        if (matches.length === 0) process.stderr.write("no matches\n");
      }
      process.exitCode = matches.some((m) => !m.suppressed) ? 0 : 1;
    });
  });

  withStoreOptions(
    account
      .command("add")
      .description("bank a suspended account (JSON) as an account signal")
      .argument("<bank>", "bank name or id")
      .argument("<json>", "the account as JSON, or - to read standard input")
      .option("--org <name>", "the bank's organisation, when names repeat")
      .option("--behaviour <labels>", "behaviour labels, comma-separated"),
  ).action(async (bankRef: string, arg: string, options: StoreOptions & { org?: string; behaviour?: string }) => {
    const value = canonicalAccountJson(accountRecord(await readArg(arg)));
    await withContext(options, async (ctx) => {
      const target = await ctx.banks.resolveBank(bankRef, options.org);
      const report = await ctx.banks.addSignals(target.id, [
        {
          line: 1,
          raw: { type: "account", value, ...(options.behaviour ? { behaviour: options.behaviour } : {}) },
        },
      ]);
      for (const r of report.rejected) process.stderr.write(`rasd: ${r.message}\n`);
      process.stdout.write(`${report.created} created, ${report.updated} updated, ${report.rejected.length} failed\n`);
      if (report.rejected.length > 0) process.exitCode = 1;
    });
  });

  withStoreOptions(
    account
      .command("list")
      .description("list the account signals of a bank")
      .argument("<bank>", "bank name or id")
      .option("--org <name>", "the bank's organisation, when names repeat")
      .option("--json", "JSON lines"),
  ).action(async (bankRef: string, options: JsonOption & { org?: string }) => {
    await withContext(options, async (ctx) => {
      const target = await ctx.banks.resolveBank(bankRef, options.org);
      for (const s of await ctx.store.listSignals(target.id)) {
        if (s.type !== "account") continue;
        try {
          const a = parseAccountJson(s.value);
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ id: s.id, status: s.status, account: JSON.parse(s.value) as unknown })}\n`
              : `${s.id}\t${s.status}\t${a.platform}\t@${a.handle}\t${a.name ?? ""}\t${a.suspended ?? ""}\n`,
          );
        } catch (error) {
          process.stderr.write(`rasd: signal ${s.id}: ${describeError(error)}\n`);
        }
      }
    });
  });
  return account;
}
