/**
 * Webhook endpoints: where deliveries are isolated and what is disabled after sustained
 * failure. An endpoint is an organisation's target origin (scheme, host and port of the
 * webhook URL): every rule action of one organisation pointing at the same origin shares one
 * endpoint, since they reach the same receiver; the same origin used by two organisations is
 * two endpoints, so one member can neither slow nor disable another's deliveries. Pure.
 */

export type EndpointState = "active" | "disabled";

/** An endpoint's identity: the organisation and the origin of its webhook URLs. */
export interface EndpointKey {
  readonly orgId: number;
  readonly origin: string;
}

/** What is known of an endpoint's recent deliveries. */
export interface EndpointHealth {
  readonly state: EndpointState;
  /** When the endpoint entered its state (ms). */
  readonly since: number;
  /** Failed attempts in a row since its last success. */
  readonly failures: number;
  /** When the first of those failures happened (ms); null while healthy. */
  readonly failingSince: number | null;
  readonly lastError: string | null;
}

/** When an endpoint is disabled: after `failures` failed attempts in a row spanning at least `minMs`. */
export interface DisablePolicy {
  readonly failures: number;
  readonly minMs: number;
}

/**
 * The origin of a webhook target as stored (a URL's `href`): everything before the first
 * "/" after "scheme://". Written so that SQL can compute the same string (see the webhook
 * endpoint store).
 * @example webhookOrigin("https://hooks.example.org:8443/rasd?x=1") // "https://hooks.example.org:8443"
 */
export function webhookOrigin(target: string): string {
  const start = target.indexOf("://");
  const slash = target.indexOf("/", start < 0 ? 0 : start + 3);
  return slash < 0 ? target : target.slice(0, slash);
}

/** The key an endpoint is known by in memory. */
export function endpointId(key: EndpointKey): string {
  return `${key.orgId} ${key.origin}`;
}

export const HEALTHY: EndpointHealth = { state: "active", since: 0, failures: 0, failingSince: null, lastError: null };

/**
 * The endpoint's health after one attempt's outcome at `at`: a success clears the failures
 * (a disabled endpoint stays disabled: only an admin re-enables it); a failure counts, and
 * the endpoint is disabled once `policy.failures` in a row span at least `policy.minMs`.
 * @example nextHealth(HEALTHY, { ok: false, error: "HTTP 500", at: 0 }, { failures: 1, minMs: 0 }).state // "disabled"
 */
export function nextHealth(
  h: EndpointHealth,
  outcome: { readonly ok: boolean; readonly error?: string; readonly at: number },
  policy: DisablePolicy,
): EndpointHealth {
  if (outcome.ok) return { ...h, failures: 0, failingSince: null };
  const failures = h.failures + 1;
  const failingSince = h.failingSince ?? outcome.at;
  const lastError = outcome.error ?? "failed";
  const disable = h.state === "active" && failures >= policy.failures && outcome.at - failingSince >= policy.minMs;
  return disable
    ? { state: "disabled", since: outcome.at, failures, failingSince, lastError }
    : { ...h, failures, failingSince, lastError };
}
