/**
 * The SSRF-safe agent: DNS is asked once per hop and the socket connects to the address that
 * was checked, so a rebinding resolver (public first, loopback next) cannot reach a local
 * server. Resolvers are injected; the only server is on 127.0.0.1.
 */

import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { RasdError } from "../../src/core/errors.js";
import { safeRequest, type Resolver } from "../../src/media/safe-http.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly body: string;
  readonly remotePort: number;
}

let server: Server;
let port: number;
const seen: Seen[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        host: req.headers.host ?? "",
        body: Buffer.concat(chunks).toString(),
        remotePort: req.socket.remotePort ?? 0,
      });
      if (req.url === "/moved") res.writeHead(302, { location: `http://elsewhere.test:${port}/` }).end();
      else res.writeHead(200, { "content-type": "text/plain" }).end("local secret");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

/** A resolver that gives `answers` in turn (the last one again once they run out), counting questions. */
function rebinding(...answers: string[]): { resolve: Resolver; asked: string[] } {
  const asked: string[] = [];
  const resolve: Resolver = (host) => {
    const address = answers[Math.min(asked.length, answers.length - 1)]!;
    asked.push(host);
    return Promise.resolve([{ address, family: 4 }] satisfies LookupAddress[]);
  };
  return { resolve, asked };
}

describe("safeRequest", () => {
  it("closes the DNS-rebinding window: a public first answer then 127.0.0.1 never reaches the local server", async () => {
    const before = seen.length;
    const { resolve, asked } = rebinding("93.184.215.14", "127.0.0.1");
    await assert.rejects(
      safeRequest(`http://rebind.test:${port}/`, { maxBytes: 1000, timeoutMs: 500, resolve }),
      (error: unknown) => {
        assert.ok(error instanceof RasdError, String(error));
        assert.ok(["fetch.timeout", "fetch.network"].includes(error.code), error.code);
        return true;
      },
    );
    assert.deepEqual(asked, ["rebind.test"], "DNS is asked once; the connection uses that answer");
    assert.equal(seen.length, before, "the local server saw nothing");
  });

  it("(control) checking, then letting the connection resolve again, does reach the local server", async () => {
    const before = seen.length;
    const { resolve } = rebinding("93.184.215.14", "127.0.0.1");
    const checked = await resolve("rebind.test");
    assert.equal(checked[0]!.address, "93.184.215.14", "the check sees a public address");
    const answer = await new Promise<IncomingMessage>((done, fail) => {
      const req = request(
        {
          hostname: "rebind.test",
          port,
          path: "/",
          lookup: (host, options, callback) =>
            void resolve(host).then(
              (a) => (options.all ? callback(null, [...a]) : callback(null, a[0]!.address, a[0]!.family)),
              fail,
            ),
        },
        done,
      );
      req.on("error", fail);
      req.end();
    });
    answer.resume();
    assert.equal(answer.statusCode, 200);
    assert.equal(seen.length, before + 1, "the second answer reached the local server");
  });

  it("connects to the checked address, keeping the host name for Host, and sends a POST body", async () => {
    const { resolve, asked } = rebinding("127.0.0.1");
    const r = await safeRequest(`http://hook.test:${port}/deliver?x=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
      maxBytes: 1000,
      timeoutMs: 5000,
      allowHosts: ["hook.test"],
      readBody: false,
      resolve,
    });
    assert.equal(r.status, 200);
    assert.equal(r.bytes.length, 0, "the answer is not read");
    assert.deepEqual(asked, ["hook.test"]);
    const last = seen.at(-1)!;
    assert.deepEqual(
      { method: last.method, url: last.url, host: last.host, body: last.body },
      { method: "POST", url: "/deliver?x=1", host: `hook.test:${port}`, body: '{"a":1}' },
    );
  });

  it("refuses a name that resolves to a non-public address unless allowed", async () => {
    const { resolve } = rebinding("127.0.0.1");
    await assert.rejects(
      safeRequest(`http://hook.test:${port}/`, { method: "POST", body: "{}", maxBytes: 10, timeoutMs: 5000, resolve }),
      (error: unknown) => {
        assert.ok(error instanceof RasdError);
        assert.equal(error.code, "fetch.private_address");
        assert.match(error.message, /host "hook\.test" resolves to a non-public address \(loopback\)$/);
        return true;
      },
    );
  });

  it("a refused connection's error names no address the host resolved to (issue 15, item 10)", async () => {
    // A closed port on an allowed private answer: node's error says "connect ECONNREFUSED 10.…".
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { resolve } = rebinding("127.0.0.1");
    await assert.rejects(
      safeRequest(`http://inside.test:${closedPort}/`, {
        maxBytes: 10,
        timeoutMs: 5000,
        resolve,
        allowHosts: ["inside.test"],
      }),
      (error: unknown) => {
        assert.ok(error instanceof RasdError);
        assert.equal(error.code, "fetch.network");
        assert.match(error.message, /ECONNREFUSED/);
        assert.doesNotMatch(error.message, /127\.0\.0\.1/);
        return true;
      },
    );
  });

  it("checks the target of every redirect again, and gives a POST the 3xx answer instead of following it", async () => {
    const { resolve, asked } = rebinding("127.0.0.1");
    await assert.rejects(
      safeRequest(`http://first.test:${port}/moved`, {
        maxBytes: 1000,
        timeoutMs: 5000,
        allowHosts: ["first.test"],
        resolve,
      }),
      (error: unknown) => error instanceof RasdError && error.code === "fetch.private_address",
    );
    assert.deepEqual(asked, ["first.test", "elsewhere.test"]);
    const posted = await safeRequest(`http://127.0.0.1:${port}/moved`, {
      method: "POST",
      body: "{}",
      maxBytes: 1000,
      timeoutMs: 5000,
      allowPrivate: true,
    });
    assert.equal(posted.status, 302);
  });

  it("keeps a connection alive for the next request to the same checked address", async () => {
    const options = {
      method: "POST",
      body: "{}",
      maxBytes: 1000,
      timeoutMs: 5000,
      allowPrivate: true,
      keepAlive: true,
      readBody: false,
    } as const;
    await safeRequest(`http://127.0.0.1:${port}/one`, options);
    await new Promise((r) => setTimeout(r, 20)); // the drained socket goes back to the pool
    await safeRequest(`http://127.0.0.1:${port}/two`, options);
    const [one, two] = seen.slice(-2);
    assert.equal(one!.url, "/one");
    assert.equal(two!.remotePort, one!.remotePort, "the same socket");
  });
});
