/**
 * The rasd command line entry: runs the command tree and turns errors into one line on
 * stderr and an exit status (0 ok, 1 failure, 2 usage).
 *
 * Nothing is loaded here before it is known to be needed: `rasd --version` reads
 * package.json and prints it without loading commander or any command; everything else
 * loads the command tree (program.ts), which loads only the command that runs.
 */

import { describeError, isRasdError } from "../core/errors.js";
import { cliVersion } from "./version.js";

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
    process.stdout.write(`${cliVersion()}\n`);
    return;
  }
  // Output piped into `head` and closed early is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
  const [{ buildProgram }, { CommanderError }] = await Promise.all([import("./program.js"), import("./commander.js")]);
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help or the message.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isRasdError(error) && (error.code === "usage" || error.code === "invalid")) {
      process.stderr.write(`rasd: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`rasd: ${describeError(error)}\n`);
    process.exitCode = 1;
  }
}

await main();
