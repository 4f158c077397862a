/**
 * A client address as rate limits and sign-in back-off count it: IPv4 as it is (an IPv4-mapped
 * IPv6 address as its IPv4 form), IPv6 by its /64 network — one host usually holds a whole /64,
 * so counting single IPv6 addresses would let it take a fresh address per request.
 *
 * @example addressKey("2001:db8:1:2:aa::9") === "2001:db8:1:2::/64"
 */

import { isIPv4, isIPv6 } from "node:net";

export function addressKey(ip: string): string {
  const lower = ip.toLowerCase();
  if (lower.startsWith("::ffff:") && isIPv4(lower.slice(7))) return lower.slice(7);
  if (!isIPv6(lower)) return lower;
  const [head = "", tail] = lower.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]+$/.test(g) ? Number.parseInt(g, 16).toString(16) : g))
    .join(":")}::/64`;
}
