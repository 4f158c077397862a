/**
 * A webhook receiver for tests: a real HTTP server on 127.0.0.1 that records every request
 * and answers with the statuses it is told to (e.g. 503 twice, then 204).
 */

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Statuses to answer, in order; after they run out, `fallback`. */
  script: number[];
  fallback: number;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(fallback = 204): Promise<Receiver> {
  const received: Received[] = [];
  const state = { script: [] as number[], fallback };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      res.statusCode = state.script.shift() ?? state.fallback;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get script() {
      return state.script;
    },
    set script(v: number[]) {
      state.script = v;
    },
    get fallback() {
      return state.fallback;
    },
    set fallback(v: number) {
      state.fallback = v;
    },
    waitFor: async (n, timeoutMs = 10_000) => {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`receiver got ${received.length} requests, expected ${n}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
