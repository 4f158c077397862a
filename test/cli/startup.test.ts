/**
 * Start-up by structure, not by timing: the command tree loads only the command that runs,
 * and no command loads the image decoder, the database, the HTTP server or NATS before its
 * action needs them. Modules are seen as they load: ES modules through a resolve hook,
 * CommonJS ones (sharp is required) through the require cache.
 */

import assert from "node:assert/strict";
import { createRequire, register } from "node:module";
import { describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";

const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

const { port1, port2 } = new MessageChannel();
const esm = new Set<string>();
port1.on("message", (url: string) => esm.add(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const requireCache = createRequire(import.meta.url).cache;

/** Messages from the hooks thread arrive asynchronously: let them in. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Every module loaded so far, ES and CommonJS. */
async function loaded(): Promise<string[]> {
  await settle();
  return [...esm, ...Object.keys(requireCache).map((p) => `file://${p}`)];
}

const HEAVY = ["sharp", "fastify", "kysely", "pg", "better-sqlite3", "@nats-io", "pino", "prom-client", "csv-parse"];

function heavyIn(urls: readonly string[]): string[] {
  return HEAVY.filter((pkg) => urls.some((u) => u.includes(`/node_modules/${pkg}/`)));
}

const appModules = (urls: readonly string[], pattern: RegExp): string[] =>
  urls.filter((u) => !u.includes("/node_modules/") && pattern.test(u));

describe("CLI start-up loads only what the command needs", () => {
  it("--version builds no command; hash pdq builds only hash and loads no heavy module", async () => {
    const { buildProgram } = await import("../../src/cli/program.js");
    const version = await buildProgram(["node", "rasd", "--version"]);
    assert.deepEqual(version.commands, []);
    let urls = await loaded();
    assert.ok(
      urls.some((u) => u.includes("/node_modules/commander/")),
      "the recorder sees ES modules loading",
    );
    assert.deepEqual(appModules(urls, /\/cli\/commands\//), [], "no command module for --version");
    assert.deepEqual(heavyIn(urls), []);

    const hashOnly = await buildProgram(["node", "rasd", "hash", "pdq", "one.jpg"]);
    assert.deepEqual(
      hashOnly.commands.map((c) => c.name()),
      ["hash"],
    );
    urls = await loaded();
    assert.deepEqual(
      appModules(urls, /\/cli\/commands\//).map((u) => u.replace(/.*\/cli\/commands\//, "")),
      ["hash.ts"],
    );
    assert.deepEqual(heavyIn(urls), [], "rasd hash pdq defers sharp to its action");
    assert.deepEqual(appModules(urls, /\/(storage|server|http|services|queue)\//), []);

    const help = await buildProgram(["node", "rasd", "help", "bank"]);
    assert.deepEqual(
      help.commands.map((c) => c.name()),
      ["bank"],
    );
    const all = await buildProgram(["node", "rasd", "--help"]);
    assert.ok(all.commands.length >= 16, `top-level help lists every command (${all.commands.length})`);
    assert.ok(all.commands.some((c) => c.name() === "worker"));
  });

  it("the recorder sees a CommonJS package required by an ES module (sharp, by the decoder)", async () => {
    await import("../../src/media/image-decode.js");
    assert.deepEqual(
      heavyIn(await loaded()).filter((p) => p === "sharp"),
      ["sharp"],
    );
  });
});
