/**
 * "Hosts" for link tests: real HTTP servers on 127.0.0.1, each known by a host name the test
 * picks (short.test, files.test, pastebin.com…) through a resolver that maps those names to
 * 127.0.0.1. Each counts its requests and answers with the test's handler, which the test
 * may change (a file that goes 404 after a while).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Resolver } from "../../src/media/safe-http.js";

export type HostHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface LinkHost {
  readonly name: string;
  readonly port: number;
  /** `http://name:port` */
  readonly origin: string;
  /** Requests seen: method, path and when. */
  readonly requests: { method: string; path: string; at: number }[];
  handler: HostHandler;
  close(): Promise<void>;
}

/** Starts a host named `name` answering with `handler`. */
export async function startLinkHost(name: string, handler: HostHandler): Promise<LinkHost> {
  const requests: LinkHost["requests"] = [];
  const state = { handler };
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "", at: Date.now() });
    state.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    origin: `http://${name}:${port}`,
    requests,
    get handler() {
      return state.handler;
    },
    set handler(h: HostHandler) {
      state.handler = h;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Answers 127.0.0.1 for every name in `names`; any other name does not resolve. */
export function loopbackResolver(names: readonly string[]): Resolver {
  const known = new Set(names);
  return (host) =>
    known.has(host)
      ? Promise.resolve([{ address: "127.0.0.1", family: 4 }])
      : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
}

/** A handler answering `status` with `headers` and an optional body. */
export function answer(status: number, headers: Record<string, string> = {}, body = ""): HostHandler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}
