/**
 * The rasd command line. Each command lives in ./commands; this file wires them up and
 * turns errors into one line on stderr and an exit status.
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { describeError, isRasdError } from "../core/errors.js";
import { hashCommand } from "./commands/hash.js";

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
      "rasd (رصد, \"monitoring\"): hash, match and act on terrorist propaganda, and measure the information space.",
    )
    .version(version(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: true })
    .exitOverride();
  program.addCommand(hashCommand());
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help or the message.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isRasdError(error) && error.code === "usage") {
      process.stderr.write(`rasd: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`rasd: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}

await main();
