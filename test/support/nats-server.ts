/**
 * A NATS server of a test's own, on a free port with JetStream in a temporary folder, that
 * the test may stop and start again (the shared one on 4222 serves other tests). Skips,
 * saying so, when no nats-server binary is installed — unless RASD_REQUIRE_NATS=1.
 */

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function findBinary(): string | undefined {
  for (const candidate of [process.env.RASD_TEST_NATS_SERVER, "/usr/sbin/nats-server", "/usr/bin/nats-server"])
    if (candidate && existsSync(candidate)) return candidate;
  try {
    return execFileSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const BINARY = findBinary();

/** `skip` option for suites that run their own NATS server. */
export function natsServerSkip(): string | false {
  if (BINARY) return false;
  if (process.env.RASD_REQUIRE_NATS === "1") throw new Error("NATS is required but no nats-server binary was found");
  return "SKIPPED: no nats-server binary (set RASD_TEST_NATS_SERVER)";
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

export class OwnNatsServer {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "rasd-nats-"));

  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts the server (same store folder each time) and waits until it accepts connections. */
  async start(): Promise<void> {
    this.child = spawn(BINARY!, ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", this.dir], {
      stdio: "ignore",
    });
    const until = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (Date.now() > until) throw new Error(`nats-server did not start on ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills the server (as a crash would) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
