/**
 * The rasd command line entry: runs the command tree and turns errors into one line on
 * stderr and an exit status (0 ok, 1 failure, 2 usage).
 */

import { CommanderError } from "commander";
import { describeError, isRasdError } from "../core/errors.js";
import { buildProgram } from "./program.js";

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  // Output piped into `head` and closed early is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
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
