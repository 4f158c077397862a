/**
 * The worker pool: results come back, and an idle pool never keeps the process alive — even
 * when some of its workers never got a task (a CLI hashing a two-frame video used to hang
 * after printing its lines, now and then, because of that).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const fixture = fileURLToPath(new URL("./one-task.fixture.ts", import.meta.url));

/** Runs the fixture; resolves with its exit code and output, or "hung" after `ms`. */
function runFixture(ms: number): Promise<{ code: number | null | "hung"; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve({ code: "hung", stdout });
    }, ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

describe("worker pool", () => {
  it("a pool of three that ran one task lets the process exit (five runs)", async () => {
    for (let i = 0; i < 5; i++) {
      const r = await runFixture(30_000);
      assert.equal(
        r.code,
        0,
        `run ${i}: ${r.code === "hung" ? "still running 30 s after its task" : `exit ${r.code}`}`,
      );
      assert.match(r.stdout, /^[0-9a-f]{64} 0\n$/, "the task's hash came back (a flat frame has quality 0)");
    }
  });
});
