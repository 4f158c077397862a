/**
 * The rasd command tree. Each command lives in ./commands; main.ts runs it.
 *
 * Commands are loaded lazily: each entry below imports its module only when it is needed,
 * so `rasd --version` loads no command and `rasd hash pdq` loads only `hash` (not the
 * database, the HTTP server, NATS or the classifiers). A new command is one line here.
 */

import { Command } from "./commander.js";
import { cliVersion } from "./version.js";

interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<Command>;
}

/** Every top-level command, in no particular order (help sorts them). */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "hash", load: async () => (await import("./commands/hash.js")).hashCommand() },
  { name: "org", load: async () => (await import("./commands/org.js")).orgCommand() },
  { name: "bank", load: async () => (await import("./commands/bank.js")).bankCommand() },
  { name: "signal", load: async () => (await import("./commands/signal.js")).signalCommand() },
  { name: "match", load: async () => (await import("./commands/match.js")).matchCommand() },
  { name: "account", load: async () => (await import("./commands/account.js")).accountCommand() },
  { name: "key", load: async () => (await import("./commands/key.js")).keyCommand() },
  { name: "person", load: async () => (await import("./commands/person.js")).personCommand() },
  { name: "audit", load: async () => (await import("./commands/audit.js")).auditCommand() },
  { name: "serve", load: async () => (await import("./commands/serve.js")).serveCommand() },
  { name: "worker", load: async () => (await import("./commands/serve.js")).workerCommand() },
  { name: "migrate", load: async () => (await import("./commands/migrate.js")).migrateCommand() },
  { name: "media", load: async () => (await import("./commands/media.js")).mediaCommand() },
  { name: "labels", load: async () => (await import("./commands/labels.js")).labelsCommand() },
  { name: "train", load: async () => (await import("./commands/train.js")).trainCommand() },
  { name: "classify", load: async () => (await import("./commands/classify.js")).classifyCommand() },
  { name: "eval", load: async () => (await import("./commands/eval.js")).evalCommand() },
  { name: "report", load: async () => (await import("./commands/report.js")).reportCommand() },
  { name: "webhook", load: async () => (await import("./commands/webhook.js")).webhookCommand() },
  { name: "review", load: async () => (await import("./commands/review.js")).reviewCommand() },
  { name: "exchange", load: async () => (await import("./commands/exchange.js")).exchangeCommand() },
  { name: "counter", load: async () => (await import("./commands/counter.js")).counterCommand() },
  { name: "link", load: async () => (await import("./commands/link.js")).linkCommand() },
  { name: "domains", load: async () => (await import("./commands/link.js")).domainsCommand() },
  { name: "incident", load: async () => (await import("./commands/incident.js")).incidentCommand() },
];

/**
 * The commands `argv` (process.argv: node, script, args...) can reach: none for --version,
 * the one it names (also after `help`), and every command otherwise (top-level help, a
 * mistyped name that commander should suggest a correction for).
 */
export function commandsFor(argv: readonly string[] | undefined): readonly CommandEntry[] {
  if (argv === undefined) return COMMANDS;
  const [first, second] = argv.slice(2);
  if (first === "-V" || first === "--version") return [];
  const name = first === "help" ? second : first;
  const entry = COMMANDS.find((c) => c.name === name);
  return entry ? [entry] : COMMANDS;
}

/** The program with the commands `argv` needs (all of them when `argv` is not given). */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = new Command("rasd")
    .description(
      'rasd (رصد, "monitoring"): hash, match and act on terrorist propaganda, and measure the information space.',
    )
    .version(cliVersion(), "-V, --version")
    .configureHelp({ sortSubcommands: true });
  for (const command of await Promise.all(commandsFor(argv).map((c) => c.load()))) program.addCommand(command);
  applyToAll(program);
  return program;
}

/** Commander settings are not inherited by commands built separately: apply them to all. */
function applyToAll(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError("(run with --help for usage)");
  for (const sub of cmd.commands) applyToAll(sub);
}
