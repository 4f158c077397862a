/**
 * Which IP addresses are public: the test every outbound request of rasd passes before it
 * connects (`safe-http.ts`). Non-public ranges come from the IANA special-purpose address
 * registries; IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4 address inside,
 * so `::ffff:169.254.169.254` is the metadata service, not a public address.
 */

import { BlockList, isIP } from "node:net";

// Most specific first. IPv4 and IPv6 rules live in separate lists: a BlockList matches IPv4
// addresses against IPv6 rules through their ::ffff: form.
const V4_RANGES = ranges("ipv4", [
  ["0.0.0.0", 8, "'this network'"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared address space (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local, cloud metadata"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved, broadcast"],
]);
const V6_RANGES = ranges("ipv6", [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["fc00::", 7, "unique local, private"],
  ["fe80::", 10, "link-local"],
  ["ff00::", 8, "multicast"],
  ["2001:db8::", 32, "documentation"],
  ["3fff::", 20, "documentation"],
  ["2001::", 23, "IETF protocol assignments, Teredo"],
  ["2002::", 16, "6to4"],
  // Outside 2000::/3, the only block IANA has allocated for global unicast.
  ["::", 3, "reserved"],
  ["4000::", 2, "reserved"],
  ["8000::", 1, "reserved"],
]);
/** IPv6 ranges that carry an IPv4 address in their last 32 bits: IPv4-mapped and NAT64. */
const EMBEDS_V4 = new BlockList();
EMBEDS_V4.addSubnet("::ffff:0:0", 96, "ipv6");
EMBEDS_V4.addSubnet("64:ff9b::", 96, "ipv6");

function ranges(family: "ipv4" | "ipv6", table: readonly (readonly [string, number, string])[]) {
  return table.map(([network, prefix, kind]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { list, kind };
  });
}

/**
 * True when `ip` is a public unicast address; false for loopback, private, link-local,
 * CGNAT, multicast, reserved and documentation ranges (IPv4-mapped and NAT64 IPv6 addresses
 * are judged by the IPv4 address inside), and for anything that is not an IP address.
 * @example isPublicAddress("8.8.8.8") // true
 * @example isPublicAddress("::ffff:169.254.169.254") // false
 */
export function isPublicAddress(ip: string): boolean {
  return nonPublicKind(ip) === undefined;
}

/**
 * Which kind of non-public address `ip` is ("loopback", "private", ...); undefined when public.
 * @example nonPublicKind("10.1.2.3") // "private"
 */
export function nonPublicKind(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return V4_RANGES.find((range) => range.list.check(ip, "ipv4"))?.kind;
  if (family !== 6) return "not an IP address";
  const bare = ip.replace(/%.*$/s, ""); // zone index, as in fe80::1%eth0
  if (EMBEDS_V4.check(bare, "ipv6")) return nonPublicKind(lastIPv4(bare));
  return V6_RANGES.find((range) => range.list.check(bare, "ipv6"))?.kind;
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
function lastIPv4(ip: string): string {
  // The URL parser writes IPv6 in canonical form: lower-case hex groups, no dotted tail.
  const text = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head = "", tail = ""] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  const hi = parseInt(groups[6]!, 16);
  const lo = parseInt(groups[7]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}
