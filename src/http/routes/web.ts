/**
 * The web app (web/, built into dist/web by scripts/build-web.mjs): its page at / and its
 * assets under /assets/. The page talks to the API with a bearer token like any client.
 * Served with a strict Content-Security-Policy (this origin only, no inline script or
 * style), nosniff, and caching that suits the build: the page is revalidated every time,
 * the content-hashed assets are immutable.
 */

import { readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { RasdError } from "../../core/errors.js";
import type { Services } from "../../server/services.js";
import { route, type RouteDef } from "../route.js";

/** dist/web of this checkout: src/http/routes and dist/http/routes are both three levels down. */
const WEB_DIR = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

const ASSET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;
/** esbuild's content hash in a file name: app-3XKQ7ZPA.js. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header("content-security-policy", CONTENT_SECURITY_POLICY)
    .header("x-content-type-options", "nosniff")
    .header("referrer-policy", "no-referrer")
    .header("x-frame-options", "DENY")
    .header("cross-origin-opener-policy", "same-origin");
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>rasd</title>
<p>The web app is not built. Run <code>npm run build</code> (or <code>./scripts/setup.sh</code>) and reload.</p></html>`;

export function webRoutes(_s: Services, dir = WEB_DIR): RouteDef[] {
  return [
    route({
      method: "GET",
      url: "/",
      access: "public",
      summary: "The web app: dashboard, review queue and banks (sign in with an account or an API key)",
      tags: ["web"],
      schema: { hide: true },
      handler: async (_req, reply) => {
        secure(reply).header("cache-control", "no-cache");
        let page: Buffer;
        try {
          page = await readFile(join(dir, "index.html"));
        } catch {
          void reply.status(503).type("text/html; charset=utf-8");
          return NOT_BUILT;
        }
        void reply.type("text/html; charset=utf-8");
        return page;
      },
    }),
    route({
      method: "GET",
      url: "/assets/:file",
      access: "public",
      summary: "The web app's scripts, styles and images",
      tags: ["web"],
      schema: { hide: true, params: Type.Object({ file: Type.String() }) },
      handler: async (req, reply) => {
        const file = req.params.file;
        const type = TYPES[extname(file)];
        const path = join(dir, "assets", file);
        if (!ASSET.test(file) || file.includes("..") || !type || !(await stat(path).catch(() => undefined))?.isFile())
          throw new RasdError("not_found", `no asset ${file.slice(0, 80)}`);
        secure(reply)
          .type(type)
          .header("cache-control", HASHED.test(file) ? "public, max-age=31536000, immutable" : "no-cache");
        return readFile(path);
      },
    }),
  ];
}
