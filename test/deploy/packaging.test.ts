/**
 * The Dockerfile and compose.yaml cannot be built or started here (no registry access), so
 * what can be checked without Docker is: compose's services, their commands (real `rasd`
 * commands and options), their RASD_ variables (in the settings table), health checks and
 * start order; the Dockerfile's base, that what it copies exists and what it runs is a real
 * npm script or file, its packages match scripts/setup.sh, it runs as a user; and the health
 * check script against a live and a dead port.
 */

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/program.js";
import { SETTINGS } from "../../src/config/settings.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (file: string): string => readFileSync(join(ROOT, file), "utf8");

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}
const compose = parse(read("compose.yaml"), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Every long option `rasd <command>` accepts. */
async function optionsOf(name: string): Promise<Set<string>> {
  const cmd = (await buildProgram()).commands.find((c) => c.name() === name);
  assert.ok(cmd, `rasd has no command "${name}"`);
  return new Set(cmd.options.map((o) => o.long!));
}

describe("compose.yaml", () => {
  it("has PostgreSQL 15, NATS with JetStream, a one-shot migrate, two API processes and workers", () => {
    assert.deepEqual(Object.keys(services).sort(), ["api", "migrate", "nats", "postgres", "worker"]);
    assert.match(services.postgres!.image!, /^postgres:15/);
    assert.match(services.nats!.image!, /^nats:2\./);
    assert.ok(services.nats!.command!.includes("--jetstream"));
    assert.deepEqual(services.migrate!.command, ["migrate"]);
    assert.deepEqual(services.api!.command, ["serve", "--roles", "api", "--no-migrate"]);
    assert.deepEqual(services.worker!.command, ["worker", "--no-migrate"]);
    assert.ok((services.api!.deploy?.replicas ?? 1) >= 2);
  });

  it("runs only real rasd commands and options", async () => {
    for (const name of ["migrate", "api", "worker"]) {
      const [command, ...args] = services[name]!.command!;
      const known = await optionsOf(command!);
      for (const a of args.filter((x) => x.startsWith("--")))
        assert.ok(known.has(a), `compose ${name}: rasd ${command} has no ${a}`);
    }
  });

  it("sets only RASD_ variables that are in the settings table, and the ones several processes need", () => {
    const table = SETTINGS.map((s) => s.env).join("\n");
    for (const name of ["migrate", "api", "worker"]) {
      const env = services[name]!.environment!;
      for (const key of Object.keys(env).filter((k) => k.startsWith("RASD_")))
        assert.ok(table.includes(key), `compose ${name}: ${key} is not in src/config/settings.ts`);
      for (const needed of ["RASD_DATABASE_URL", "RASD_NATS_URL", "RASD_SECRET_KEY", "RASD_MEDIA_DIR"])
        assert.ok(env[needed], `compose ${name} lacks ${needed}`);
      assert.ok(
        services[name]!.volumes!.includes(`media:${env.RASD_MEDIA_DIR}`),
        `compose ${name}: the media volume is not at RASD_MEDIA_DIR`,
      );
      assert.match(env.RASD_DATABASE_URL!, /@postgres:5432\//);
      assert.match(env.RASD_NATS_URL!, /^nats:\/\/nats:4222$/);
    }
  });

  it("has health checks, and starts processes after the migration and healthy services", () => {
    for (const name of ["postgres", "nats", "api", "worker"]) {
      const h = services[name]!.healthcheck;
      assert.ok(h?.test && !h.disable, `compose ${name} has no health check`);
    }
    assert.deepEqual(services.api!.healthcheck!.test, ["CMD", "node", "/app/scripts/healthcheck.mjs"]);
    assert.deepEqual(services.migrate!.depends_on, { postgres: { condition: "service_healthy" } });
    for (const name of ["api", "worker"])
      assert.deepEqual(services[name]!.depends_on, {
        migrate: { condition: "service_completed_successfully" },
        postgres: { condition: "service_healthy" },
        nats: { condition: "service_healthy" },
      });
  });

  it(
    "is valid for `docker compose config` where the compose plugin exists",
    { skip: !hasCompose() && "SKIPPED: no docker compose plugin here" },
    () => {
      const r = spawnSync("docker", ["compose", "-f", join(ROOT, "compose.yaml"), "config", "--quiet"], {
        env: { ...process.env, RASD_SECRET_KEY: Buffer.alloc(32).toString("base64") },
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
    },
  );
});

function hasCompose(): boolean {
  return spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status === 0;
}

describe("Dockerfile", () => {
  const text = read("Dockerfile").replace(/\\\n/g, " ");
  const lines = text.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

  it("builds on node:20-bookworm-slim in two stages and runs as a user, not root", () => {
    const from = lines.filter((l) => l.startsWith("FROM "));
    assert.deepEqual(from, ["FROM node:20-bookworm-slim AS build", "FROM node:20-bookworm-slim"]);
    const user = lines.filter((l) => l.startsWith("USER ")).at(-1);
    assert.ok(user && !/root|\b0\b/.test(user), `runs as ${user ?? "root"}`);
  });

  it("copies only files that exist, and runs npm scripts and files that exist", () => {
    for (const l of lines.filter((x) => x.startsWith("COPY ") && !x.includes("--from="))) {
      const parts = l.split(/\s+/).slice(1, -1);
      for (const p of parts) assert.ok(existsSync(join(ROOT, p)), `COPY ${p}: no such file in the repository`);
    }
    for (const l of lines.filter((x) => x.startsWith("COPY --from=build "))) {
      const from = l.split(/\s+/).slice(2, -1);
      for (const p of from) {
        const rel = p.replace(/^\/src\//, "");
        // Made by the build stage (npm ci, npm run build), or copied into it.
        const made = ["node_modules", "dist"].includes(rel);
        assert.ok(made || existsSync(join(ROOT, rel)), `COPY --from=build ${p}: not in the repository`);
      }
    }
    for (const m of text.matchAll(/npm run (\S+)/g)) assert.ok(scripts[m[1]!], `npm run ${m[1]}: no such script`);
    const entry = lines.find((l) => l.startsWith("ENTRYPOINT "))!;
    assert.deepEqual(JSON.parse(entry.slice("ENTRYPOINT ".length)), ["node", "/app/bin/rasd"]);
    assert.ok(existsSync(join(ROOT, "bin/rasd")));
    assert.ok(lines.some((l) => l === 'CMD ["serve"]'));
  });

  it("installs the Debian packages scripts/setup.sh names for running (not building or testing)", () => {
    const setup = read("scripts/setup.sh");
    const runtime = lines.filter((l) => l.includes("apt-get install")).at(-1)!;
    for (const pkg of ["ffmpeg", "imagemagick"]) {
      assert.match(setup, new RegExp(`\\b${pkg}\\b`), `setup.sh no longer installs ${pkg}`);
      assert.match(runtime, new RegExp(`\\b${pkg}\\b`), `the runtime image lacks ${pkg}`);
    }
    assert.doesNotMatch(runtime, /\b(g\+\+|make|chromium)\b/, "build and test tools stay out of the runtime image");
  });

  it("checks health with /status/live, and .dockerignore keeps installs and data out of the context", () => {
    const h = lines.find((l) => l.startsWith("HEALTHCHECK "));
    assert.ok(h?.includes("/app/scripts/healthcheck.mjs"));
    assert.match(read("scripts/healthcheck.mjs"), /\/status\/live/);
    const ignored = read(".dockerignore").split("\n");
    for (const p of ["node_modules", "dist", "data"]) assert.ok(ignored.includes(p), `.dockerignore lacks ${p}`);
  });
});

describe("scripts/healthcheck.mjs", () => {
  const run = (env: Record<string, string>): Promise<number | null> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, "scripts/healthcheck.mjs")], {
        env: { ...process.env, ...env },
        stdio: "ignore",
      });
      child.on("exit", (code) => resolve(code));
    });

  it("exits 0 when /status/live answers 200 on the API or the worker port, 1 otherwise", async () => {
    const server: Server = createServer((req, res) => {
      res.statusCode = req.url === "/status/live" ? 200 : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = String((server.address() as AddressInfo).port);
    try {
      assert.equal(await run({ RASD_PORT: port, RASD_WORKER_PORT: "0" }), 0);
      assert.equal(await run({ RASD_PORT: "1", RASD_WORKER_PORT: port }), 0);
    } finally {
      await new Promise((r) => server.close(r));
    }
    assert.equal(await run({ RASD_PORT: port, RASD_WORKER_PORT: "0" }), 1);
  });
});
