/**
 * The API's paths as patterns, to answer what fastify's router cannot: which methods a path
 * that exists allows (405 with Allow, not 404), and HMA's /site-map. Pure: built from the
 * route objects once.
 */

import type { RouteDef } from "./route.js";

/** Fastify's "/c/bank/:bank_name" as a matcher of concrete paths (a parameter is one segment). */
function patternOf(url: string): RegExp {
  const body = url
    .split("/")
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${body}/?$`);
}

export interface RoutePaths {
  /** The methods a concrete path allows (GET implies HEAD); empty if no route has the path. */
  methodsOf(path: string): string[];
  /** Whether the path is one of HMA's routes (errors answered as HMA's `{"message"}`). */
  isHma(path: string): boolean;
  /** Every route's path in Flask's syntax, each once, sorted (HMA's /site-map). */
  siteMap(): string[];
}

export function routePaths(routes: readonly Pick<RouteDef, "method" | "url" | "hmaErrors">[]): RoutePaths {
  const byUrl = new Map<string, { pattern: RegExp; methods: Set<string>; hma: boolean }>();
  for (const r of routes) {
    const entry = byUrl.get(r.url) ?? { pattern: patternOf(r.url), methods: new Set<string>(), hma: false };
    entry.methods.add(r.method);
    if (r.method === "GET") entry.methods.add("HEAD");
    entry.hma ||= r.hmaErrors === true;
    byUrl.set(r.url, entry);
  }
  const matching = (path: string) => [...byUrl.values()].filter((e) => e.pattern.test(path));
  return {
    methodsOf: (path) => [...new Set(matching(path).flatMap((e) => [...e.methods]))].sort(),
    isHma: (path) => matching(path).some((e) => e.hma),
    siteMap: () => [...byUrl.keys()].map((url) => url.replace(/:([A-Za-z_]+)/g, "<$1>")).sort(),
  };
}
