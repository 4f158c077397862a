/**
 * Query strings as an ordered list of parameters: split on `&`, each name and value
 * percent-normalised, tracking parameters dropped, and the rest sorted by name so that
 * `?b=2&a=1` and `?a=1&b=2` are one key. Values of a repeated name keep their order
 * (`?a=2&a=1` stays as it is: some servers read lists in order). `+` and `%20` are left
 * distinct, as RFC 3986 does; only form decoding equates them.
 */

import { decodeLoosely, normalizePercent } from "./percent.js";

/** One `name[=value]` pair, normalised. */
export interface QueryParam {
  /** Normalised, still-encoded name. */
  name: string;
  /** Normalised, still-encoded value; undefined when the pair had no `=`. */
  value: string | undefined;
  /** The name decoded and lower-cased, for comparing with lists of parameter names. */
  key: string;
}

/**
 * Parses `search` (with or without its leading `?`) into normalised parameters, skipping
 * empty pieces (`a=1&&b=2`).
 * @example parseQuery("?B=%7e&a") // [{ name: "B", value: "~", key: "b" }, { name: "a", value: undefined, key: "a" }]
 */
export function parseQuery(search: string): QueryParam[] {
  const text = search.startsWith("?") ? search.slice(1) : search;
  if (text === "") return [];
  const params: QueryParam[] = [];
  for (const piece of text.split("&")) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = normalizePercent(eq < 0 ? piece : piece.slice(0, eq), "query");
    const value = eq < 0 ? undefined : normalizePercent(piece.slice(eq + 1), "query");
    params.push({ name, value, key: decodeLoosely(name).toLowerCase() });
  }
  return params;
}

/** A parameter as written in a query string. */
function formatParam(param: QueryParam): string {
  return param.value === undefined ? param.name : `${param.name}=${param.value}`;
}

/**
 * The query string for `params` sorted by name (stable), with its `?`, or "" when empty.
 * @example formatQuery(parseQuery("b=2&a=1")) // "?a=1&b=2"
 */
export function formatQuery(params: readonly QueryParam[]): string {
  if (params.length === 0) return "";
  const sorted = [...params].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return `?${sorted.map(formatParam).join("&")}`;
}
