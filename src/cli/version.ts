/** rasd's version, from package.json (read when asked: `rasd --version` needs nothing else). */

import { readFileSync } from "node:fs";

export function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "unknown";
  }
}
