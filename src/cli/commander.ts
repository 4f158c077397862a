/**
 * Commander, required as CommonJS. `import ... from "commander"` goes through its ES wrapper,
 * which makes Node scan the CommonJS build for its exports first: about 5 ms of CPU on every
 * `rasd` run. The CLI imports commander from here instead.
 */

import { createRequire } from "node:module";
import type * as CommanderModule from "commander";

const commander = createRequire(import.meta.url)("commander") as typeof CommanderModule;

export const { Command, Option, CommanderError, InvalidArgumentError } = commander;
export type Command = CommanderModule.Command;
export type Option = CommanderModule.Option;
export type CommanderError = CommanderModule.CommanderError;
export type InvalidArgumentError = CommanderModule.InvalidArgumentError;
