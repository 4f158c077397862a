/**
 * Fetching remote media safely: a real HTTP server on 127.0.0.1 plays the remote host, and
 * is refused by default because it is loopback. DNS answers for made-up names come from a
 * mocked dns.promises.lookup; nothing leaves the machine.
 */

import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import dns from "node:dns/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it, type TestContext } from "node:test";
import { RasdError } from "../../src/core/errors.js";
import { isPublicAddress } from "../../src/media/public-address.js";
import { fetchRemoteMedia, type RemoteFetchOptions } from "../../src/media/remote-fetch.js";

const BODY = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 255));
const LIMITS = { maxBytes: 10_000, timeoutMs: 5_000 } as const;
const LOCAL: RemoteFetchOptions = { ...LIMITS, allowPrivate: true };

let server: Server;
let base: string; // http://127.0.0.1:PORT
let port: number;

function send(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? "/";
    const hops = /^\/redirect\/(\d+)$/.exec(path);
    if (hops) {
      const n = Number(hops[1]);
      send(res, 302, "", { location: n > 1 ? `/redirect/${n - 1}` : "/media" });
    } else if (path === "/media") send(res, 200, BODY, { "content-type": "image/png" });
    else if (path === "/host") send(res, 200, req.headers.host ?? "");
    else if (path === "/declares-big") send(res, 200, Buffer.alloc(20_000));
    else if (path === "/chunked-big") {
      res.writeHead(200); // no Content-Length: chunked
      for (let i = 0; i < 20; i++) res.write(Buffer.alloc(1000));
      res.end();
    } else if (path === "/no-answer") {
      // Never answers; the connection is closed when the server stops.
    } else if (path === "/stalls-mid-body") {
      res.writeHead(200, { "content-length": "1000" });
      res.write(Buffer.alloc(10));
    } else if (path === "/to-loopback-ip") send(res, 302, "", { location: `http://127.0.0.1:${port}/media` });
    else if (path === "/to-file") send(res, 301, "", { location: "file:///etc/passwd" });
    else send(res, 404, "not here");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

async function rejects(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof RasdError, `expected a RasdError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, "one line");
    return true;
  });
}

/** Makes dns.promises.lookup answer `addresses` for every name, counting the calls. */
function mockDns(t: TestContext, addresses: LookupAddress[]): { calls: string[] } {
  const calls: string[] = [];
  const fake = async (hostname: string) => {
    calls.push(hostname);
    return addresses;
  };
  t.mock.method(dns, "lookup", fake as unknown as typeof dns.lookup);
  return { calls };
}

describe("fetchRemoteMedia", () => {
  it("refuses a loopback server by default, naming the host and address", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/media`, LIMITS),
      "fetch.private_address",
      /^refusing "http:\/\/127\.0\.0\.1:\d+\/media": 127\.0\.0\.1 is not a public address \(loopback\)/,
    );
  });

  it("fetches from a loopback server with allowPrivate", async () => {
    const fetched = await fetchRemoteMedia(`${base}/media`, LOCAL);
    assert.deepEqual(fetched.bytes, BODY);
    assert.equal(fetched.contentType, "image/png");
    assert.equal(fetched.finalUrl, `${base}/media`);
  });

  it("fetches from a non-public address listed in allowHosts", async () => {
    const fetched = await fetchRemoteMedia(`${base}/media`, { ...LIMITS, allowHosts: ["127.0.0.1"] });
    assert.deepEqual(fetched.bytes, BODY);
  });

  it("refuses a host when any one of its addresses is not public", async (t) => {
    mockDns(t, [
      { address: "93.184.215.14", family: 4 },
      { address: "169.254.169.254", family: 4 },
    ]);
    await rejects(
      fetchRemoteMedia("http://media.example/a.jpg", LIMITS),
      "fetch.private_address",
      /host "media\.example" resolves to a non-public address \(link-local/,
    );
  });

  it("connects to the address it checked, keeping the host name in the Host header", async (t) => {
    // Node's own resolver knows no media.test: the request can only reach the server
    // through the pinned answer, and DNS is asked once, so a second answer cannot differ.
    const dnsMock = mockDns(t, [{ address: "127.0.0.1", family: 4 }]);
    const fetched = await fetchRemoteMedia(`http://media.test:${port}/host`, { ...LIMITS, allowHosts: ["media.test"] });
    assert.equal(fetched.bytes.toString(), `media.test:${port}`);
    assert.deepEqual(dnsMock.calls, ["media.test"]);
  });

  it("refuses a body whose Content-Length is over the limit", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/declares-big`, { ...LOCAL, maxBytes: 1000 }),
      "fetch.too_large",
      /"http:\/\/127\.0\.0\.1:\d+\/declares-big" is 19\.5 KiB \(Content-Length\), over the 1000 bytes limit/,
    );
  });

  it("stops reading a chunked body once it passes the limit", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/chunked-big`, { ...LOCAL, maxBytes: 5000 }),
      "fetch.too_large",
      /\/chunked-big" sent more than the 4\.9 KiB limit/,
    );
    const fetched = await fetchRemoteMedia(`${base}/chunked-big`, { ...LOCAL, maxBytes: 20_000 });
    assert.equal(fetched.bytes.length, 20_000, "exactly at the limit is accepted");
  });

  it("gives up on a server that does not answer in time", async () => {
    const started = Date.now();
    await rejects(
      fetchRemoteMedia(`${base}/no-answer`, { ...LOCAL, timeoutMs: 200 }),
      "fetch.timeout",
      /^fetching "http:\/\/127\.0\.0\.1:\d+\/no-answer" took longer than 200 ms$/,
    );
    assert.ok(Date.now() - started < 2000);
  });

  it("gives up on a body that stalls", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/stalls-mid-body`, { ...LOCAL, timeoutMs: 200 }),
      "fetch.timeout",
      /stalls-mid-body" took longer than 200 ms/,
    );
  });

  it("follows redirects up to maxRedirects", async () => {
    const fetched = await fetchRemoteMedia(`${base}/redirect/3`, LOCAL);
    assert.deepEqual(fetched.bytes, BODY);
    assert.equal(fetched.finalUrl, `${base}/media`);
    await rejects(
      fetchRemoteMedia(`${base}/redirect/4`, LOCAL),
      "fetch.redirects",
      /^too many redirects fetching "http:\/\/127\.0\.0\.1:\d+\/redirect\/4": more than 3, the last from ".*\/redirect\/1" to "\/media"$/,
    );
    await rejects(
      fetchRemoteMedia(`${base}/redirect/1`, { ...LOCAL, maxRedirects: 0 }),
      "fetch.redirects",
      /more than 0/,
    );
  });

  it("checks every redirect target: a host allowed by name does not allow its address", async () => {
    // localhost is an allowed internal source; 127.0.0.1 by address is not on the list.
    const allowHosts = ["localhost"];
    const direct = await fetchRemoteMedia(`http://localhost:${port}/media`, { ...LIMITS, allowHosts });
    assert.deepEqual(direct.bytes, BODY);
    await rejects(
      fetchRemoteMedia(`http://localhost:${port}/to-loopback-ip`, { ...LIMITS, allowHosts }),
      "fetch.private_address",
      /^refusing "http:\/\/127\.0\.0\.1:\d+\/media": 127\.0\.0\.1 is not a public address \(loopback\)/,
    );
  });

  it("refuses a redirect to another scheme", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/to-file`, LOCAL),
      "fetch.scheme",
      /^refusing "file:\/\/\/etc\/passwd" \(redirected from "http:\/\/127\.0\.0\.1:\d+\/to-file"\): only http and https/,
    );
  });

  it("reports a non-2xx answer with its status", async () => {
    await rejects(
      fetchRemoteMedia(`${base}/missing.jpg`, LOCAL),
      "fetch.status",
      /^"http:\/\/127\.0\.0\.1:\d+\/missing\.jpg" answered HTTP 404 Not Found$/,
    );
  });

  it("reports a refused connection as a network error", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await rejects(
      fetchRemoteMedia(`http://127.0.0.1:${closedPort}/media`, LOCAL),
      "fetch.network",
      /^cannot fetch "http:\/\/127\.0\.0\.1:\d+\/media": .*ECONNREFUSED/,
    );
  });

  it("refuses schemes other than http and https", async () => {
    await rejects(
      fetchRemoteMedia("ftp://example.com/a.jpg", LOCAL),
      "fetch.scheme",
      /^refusing "ftp:\/\/example\.com\/a\.jpg": only http and https URLs are fetched, not ftp$/,
    );
    await rejects(fetchRemoteMedia("file:///etc/passwd", LOCAL), "fetch.scheme", /not file$/);
  });

  it("refuses credentials in the URL without repeating them", async () => {
    await rejects(
      fetchRemoteMedia(`http://user:secret@127.0.0.1:${port}/media`, LOCAL),
      "fetch.credentials",
      /^refusing a URL for host "127\.0\.0\.1:\d+": it carries a user name or password$/,
    );
    await assert.rejects(fetchRemoteMedia(`http://user:secret@127.0.0.1:${port}/media`, LOCAL), (error: Error) => {
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
  });
});

describe("isPublicAddress", () => {
  const notPublic = [
    ["0.0.0.0", "'this network'"],
    ["0.1.2.3", "'this network'"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.64.0.1", "CGNAT"],
    ["100.127.255.255", "CGNAT"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.169.254", "cloud metadata"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.0.2.1", "documentation"],
    ["192.168.1.1", "private"],
    ["198.18.0.1", "benchmarking"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "mapped loopback"],
    ["::ffff:7f00:1", "mapped loopback, hex"],
    ["::ffff:10.0.0.1", "mapped private"],
    ["::ffff:169.254.169.254", "mapped metadata"],
    ["::ffff:0.0.0.0", "mapped 'this network'"],
    ["64:ff9b::10.0.0.1", "NAT64 of private"],
    ["::127.0.0.1", "IPv4-compatible (deprecated)"],
    ["fc00::1", "unique local"],
    ["fd00::1", "unique local"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local with zone"],
    ["fec0::1", "site-local (deprecated)"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2001::1", "Teredo"],
    ["2002:7f00:1::1", "6to4"],
    ["64:ff9b:1::1", "local-use NAT64"],
    ["localhost", "a name, not an address"],
    ["", "empty"],
    ["1.2.3", "not an address"],
  ] as const;
  const isPublic = [
    "8.8.8.8",
    "1.1.1.1",
    "11.0.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.1",
    "192.169.0.1",
    "223.255.255.254",
    "2001:4860:4860::8888",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
  ];

  it("refuses loopback, private, link-local, reserved and special ranges, v4 and v6", () => {
    for (const [ip, why] of notPublic) assert.equal(isPublicAddress(ip), false, `${ip} (${why})`);
  });

  it("accepts public unicast addresses", () => {
    for (const ip of isPublic) assert.equal(isPublicAddress(ip), true, ip);
  });
});
