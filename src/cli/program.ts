/**
 * The rasd command tree. Each command lives in ./commands; main.ts runs it.
 */

import { reportCommand } from "./commands/report.js";
import { labelsCommand } from "./commands/labels.js";
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { auditCommand } from "./commands/audit.js";
import { bankCommand } from "./commands/bank.js";
import { hashCommand } from "./commands/hash.js";
import { keyCommand } from "./commands/key.js";
import { matchCommand } from "./commands/match.js";
import { orgCommand } from "./commands/org.js";
import { personCommand } from "./commands/person.js";
import { serveCommand, workerCommand } from "./commands/serve.js";
import { migrateCommand } from "./commands/migrate.js";
import { signalCommand } from "./commands/signal.js";
import { classifyCommand } from "./commands/classify.js";
import { evalCommand } from "./commands/eval.js";
import { trainCommand } from "./commands/train.js";
import { webhookCommand } from "./commands/webhook.js";

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "unknown";
  }
}

export function buildProgram(): Command {
  const program = new Command("rasd")
    .description(
      'rasd (رصد, "monitoring"): hash, match and act on terrorist propaganda, and measure the information space.',
    )
    .version(version(), "-V, --version")
    .configureHelp({ sortSubcommands: true });
  program.addCommand(hashCommand());
  program.addCommand(orgCommand());
  program.addCommand(bankCommand());
  program.addCommand(signalCommand());
  program.addCommand(matchCommand());
  program.addCommand(keyCommand());
  program.addCommand(personCommand());
  program.addCommand(auditCommand());
  program.addCommand(serveCommand());
  program.addCommand(workerCommand());
  program.addCommand(migrateCommand());
  program.addCommand(trainCommand());
  program.addCommand(classifyCommand());
  program.addCommand(evalCommand());
  program.addCommand(reportCommand());
  program.addCommand(labelsCommand());
  program.addCommand(webhookCommand());
  applyToAll(program);
  return program;
}

/** Commander settings are not inherited by commands built separately: apply them to all. */
function applyToAll(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError("(run with --help for usage)");
  for (const sub of cmd.commands) applyToAll(sub);
}
