/**
 * Whether a webhook target may be saved in a rule: checked when the rule is created or
 * changed, so a member learns at once instead of after eight failed deliveries. In production
 * only https, no credentials in the URL, and a host whose every address is public (the same
 * test deliveries pass, `public-address.ts`; deliveries check again and pin the address, since
 * DNS answers change). RASD_WEBHOOK_ALLOW_PRIVATE=1 (tests, local demos) allows http and
 * private addresses. The reasons name the kind of address, never the DNS answer itself.
 */

import type { LookupAddress } from "node:dns";
import dns from "node:dns/promises";
import { isIP } from "node:net";
import { nonPublicKind } from "./public-address.js";

export type TargetResolver = (host: string) => Promise<readonly LookupAddress[]>;

export interface TargetCheck {
  /** RASD_WEBHOOK_ALLOW_PRIVATE: http and non-public addresses allowed. */
  readonly allowPrivate: boolean;
  /** Who answers the DNS question (tests inject one); default the system resolver. */
  readonly resolve?: TargetResolver;
  /** Longest wait for DNS (default 5 s). */
  readonly timeoutMs?: number;
}

const ALLOW_HINT = "RASD_WEBHOOK_ALLOW_PRIVATE=1 allows it for tests and local demos";

/**
 * Why `url` cannot be a webhook target, or undefined when it can; also the URL as stored.
 * @example await webhookTargetProblem("http://example.org/hook", { allowPrivate: false })
 *   // { problem: "must be https: ..." }
 */
export async function checkWebhookTarget(
  url: string,
  options: TargetCheck,
): Promise<{ readonly href: string; readonly problem?: undefined } | { readonly problem: string }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: "not a URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    return { problem: `must be https, not ${parsed.protocol.slice(0, -1)}` };
  if (parsed.username !== "" || parsed.password !== "")
    return { problem: "must not carry a user name or password (the webhook's secret signs each delivery)" };
  if (options.allowPrivate) return { href: parsed.href };
  if (parsed.protocol !== "https:")
    return { problem: `must be https: deliveries carry match details and are not sent in plain text (${ALLOW_HINT})` };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  let addresses: readonly LookupAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await withTimeout(
        (options.resolve ?? ((h) => dns.lookup(h, { all: true, verbatim: true })))(host),
        options.timeoutMs ?? 5000,
      );
    } catch {
      return { problem: `the host "${host}" could not be resolved; give a host name that resolves publicly` };
    }
  }
  if (addresses.length === 0)
    return { problem: `the host "${host}" could not be resolved; give a host name that resolves publicly` };
  for (const { address } of addresses) {
    const kind = nonPublicKind(address.replace(/%.*$/s, ""));
    if (kind === undefined) continue;
    const what = isIP(host) ? `${host} is not a public address` : `the host "${host}" resolves to a non-public address`;
    return { problem: `${what} (${kind}); webhooks go to public receivers only (${ALLOW_HINT})` };
  }
  return { href: parsed.href };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
