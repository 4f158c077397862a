/**
 * A webhook receiver that never answers until told to: it holds every request open, the way
 * a dead receiver behind a load balancer does, so a test can see who else is kept waiting.
 */

import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HungReceiver {
  readonly url: string;
  /** Requests that arrived (each still held open until `release`). */
  readonly arrived: () => number;
  /** Requests still held open. */
  readonly holding: () => number;
  /** Answers every held request (and every later one) with 204. */
  release(): void;
  close(): Promise<void>;
}

export async function startHungReceiver(): Promise<HungReceiver> {
  const held = new Set<ServerResponse>();
  let arrived = 0;
  let released = false;
  const server = createServer((req, res) => {
    arrived++;
    req.resume();
    if (released) {
      res.statusCode = 204;
      res.end();
      return;
    }
    held.add(res);
    res.on("close", () => held.delete(res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    arrived: () => arrived,
    holding: () => held.size,
    release: () => {
      released = true;
      for (const res of held) {
        res.statusCode = 204;
        res.end();
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
