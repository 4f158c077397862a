/**
 * The path part of the key: percent-encoding normalised (percent.ts), dot segments
 * resolved (RFC 3986 §5.2.4), and trailing slashes removed except for the root `/`, because
 * `/a/` and `/a` are one page on almost every server and links are shared both ways.
 *
 * Dot segments are resolved here even though WHATWG URL parsing already does it: Node 20's
 * parser leaves some in place (`/s/.e/../y` stays as it is), and `%2E%2E` only becomes `..`
 * once escapes are normalised.
 */

import { normalizePercent } from "./percent.js";

function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}

/**
 * Normalises a path that starts with `/` (as WHATWG URL's `pathname` does).
 * @example normalizePath("/a/b/%2E%2E/c%7e/") // "/a/c~"
 */
export function normalizePath(pathname: string): string {
  let path = normalizePercent(pathname, "path");
  if (path.includes("/.")) path = removeDotSegments(path);
  if (path.length > 1 && path.endsWith("/")) path = path.replace(/\/+$/, "") || "/";
  return path;
}
