/**
 * Start-up by structure, not by timing: the command tree loads only the command that runs,
 * and no command loads the image decoder, the database, the HTTP server or NATS before its
 * action needs them. Modules are seen as they load: ES modules through a resolve hook,
 * CommonJS ones (sharp is required) through the require cache.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { png16 } from "../support/images.js";
import { REPO_ROOT } from "../support/shared.js";

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

// The built CLI as a user runs it (./bin/rasd on dist; `npx tsc -p tsconfig.build.json` first),
// with every module the process loads written down by test/support/module-trace.mjs.
describe("the rasd process loads only what the command needs", () => {
  const dir = mkdtempSync(join(tmpdir(), "rasd-startup-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function modulesOf(args: string[]): { stdout: string; modules: string[] } {
    const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync(
      process.execPath,
      ["--import", join(REPO_ROOT, "test/support/module-trace.mjs"), join(REPO_ROOT, "bin/rasd"), ...args],
      { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, RASD_MODULE_TRACE: trace } },
    );
    assert.equal(r.status, 0, r.stderr);
    return { stdout: r.stdout, modules: [...new Set(readFileSync(trace, "utf8").trim().split("\n"))] };
  }
  const fromDist = (urls: readonly string[]): string[] =>
    urls.filter((u) => u.includes("/dist/")).map((u) => u.replace(/.*\/dist\//, ""));

  it("rasd --version loads the entry and package.json only: no commander, no command", () => {
    const { stdout, modules } = modulesOf(["--version"]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(stdout, `${pkg.version}\n`);
    assert.ok(fromDist(modules).includes("cli/main.js"), "the recorder sees the entry load");
    assert.deepEqual(fromDist(modules).sort(), ["cli/main.js", "cli/version.js", "core/errors.js"]);
    assert.deepEqual(
      modules.filter((u) => u.includes("/node_modules/")),
      [],
    );
  });

  it("rasd hash pdq one image loads hash, the PDQ kernel and sharp, and no database, server, matcher or queue", () => {
    const image = join(dir, "one.png");
    writeFileSync(
      image,
      png16(
        64,
        48,
        Uint16Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 2654435761) % 65536),
      ),
    );
    const { stdout, modules } = modulesOf(["hash", "pdq", image]);
    assert.match(stdout, /^[0-9a-f]{64},\d+,/);
    const dist = fromDist(modules);
    assert.ok(dist.includes("kernels/pdq/pdq.js") && dist.includes("media/image-decode.js"));
    assert.deepEqual(
      dist.filter((m) => m.startsWith("cli/commands/")),
      ["cli/commands/hash.js"],
    );
    assert.deepEqual(
      dist.filter((m) => /^(storage|server|http|services|queue|bus|config)\//.test(m)),
      [],
      "no database, server, matcher (services/matcher.js) or queue",
    );
    assert.deepEqual(heavyIn(modules), ["sharp"]);
  });
});
