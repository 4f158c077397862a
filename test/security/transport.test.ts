/**
 * Transport hardening (issue 15, item 11): HTTPS from a configured certificate with HSTS,
 * nosniff and no-store on API answers, a Content-Security-Policy on /docs, and idle keep-alive
 * connections closed rather than held.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildApp } from "../../src/http/app.js";
import { loadConfig } from "../../src/config/config.js";
import { serve } from "../../src/server/serve.js";
import { startTestService, type TestService } from "../support/service.js";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("headers on every answer", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(() => t.close());

  test("API answers, errors and 404s carry nosniff, no-store, no referrer and no framing", async () => {
    for (const [key, url] of [
      [t.keys.a.reader, "/v1/me"],
      [undefined, "/v1/me"],
      [undefined, "/nowhere"],
      [undefined, "/status/live"],
    ] as const) {
      const r = await t.call(key, { method: "GET", url });
      assert.equal(r.headers["x-content-type-options"], "nosniff", url);
      assert.equal(r.headers["cache-control"], "no-store", url);
      assert.equal(r.headers["referrer-policy"], "no-referrer", url);
      assert.equal(r.headers["x-frame-options"], "DENY", url);
      assert.match(String(r.headers["content-security-policy"]), /default-src 'none'.*frame-ancestors 'none'/, url);
      assert.equal(r.headers["strict-transport-security"], undefined, "no HSTS over plain HTTP");
    }
  });

  test("/docs has a Content-Security-Policy as strict as the web app's: own origin, no inline script", async () => {
    const page = await t.call(undefined, { method: "GET", url: "/docs/" });
    assert.equal(page.statusCode, 200);
    const csp = String(page.headers["content-security-policy"]);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|https:/);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
  });
});

test("an idle keep-alive connection is closed by the server", async () => {
  const t = await startTestService({ workers: false });
  const app = await buildApp({ access: t.s.access, routes: t.routes, keepAliveMs: 300 });
  try {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as { port: number };
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write("GET /status/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    await closed; // the test's own timeout fails it if the server keeps the connection
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.match(answer, /I-AM-ALIVE/);
    assert.equal(app.server.keepAliveTimeout, 300);
    assert.equal(app.server.headersTimeout, 15_000);
    assert.equal(app.server.requestTimeout, 300_000);
  } finally {
    await app.close();
    await t.close();
  }
});

describe("HTTPS from a configured certificate and key", () => {
  test("TLS needs both files", () => {
    assert.throws(() => loadConfig({ tlsCert: "/x/cert.pem" }, {}), /both a certificate and a key/);
    assert.throws(() => loadConfig({}, { RASD_TLS_KEY: "/x/key.pem" }), /both a certificate and a key/);
    assert.equal(loadConfig({}, {}).tls, undefined);
  });

  test(
    "serve answers over HTTPS with a self-signed certificate made here, with HSTS",
    { skip: hasOpenssl() ? false : "openssl is not installed: no certificate can be made (node cannot make X.509)" },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "rasd-tls-"));
      const cert = join(dir, "cert.pem");
      const key = join(dir, "key.pem");
      execFileSync(
        "openssl",
        [
          ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
          ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"],
          ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        ],
        { stdio: "ignore" },
      );
      const config = loadConfig({ data: dir, port: 0, pipelineThreads: 0 }, { RASD_TLS_CERT: cert, RASD_TLS_KEY: key });
      const server = await serve(config, { workers: false });
      try {
        assert.match(server.url, /^https:\/\//);
        const { port } = server.app!.server.address() as { port: number };
        const got = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
          (resolve, reject) => {
            const req = request(
              { host: "127.0.0.1", port, path: "/status/live", ca: readFileSync(cert), servername: "localhost" },
              (res) => {
                let body = "";
                res.on("data", (d: Buffer) => (body += d.toString()));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
              },
            );
            req.on("error", reject);
            req.end();
          },
        );
        assert.equal(got.status, 200);
        assert.equal(got.body, "I-AM-ALIVE");
        assert.match(String(got.headers["strict-transport-security"]), /max-age=31536000/);
      } finally {
        await server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("a certificate file that cannot be read stops serve with a message naming it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rasd-tls-"));
    try {
      const config = loadConfig(
        { data: dir, port: 0, tlsCert: join(dir, "missing.pem"), tlsKey: join(dir, "k.pem") },
        {},
      );
      await assert.rejects(serve(config, { workers: false }), /cannot read the TLS certificate .*missing\.pem/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
