/**
 * Roles and what each may do. One table, read by the HTTP layer (every route names the
 * permission it needs) and by the authorisation test that walks every route.
 */

export const ROLES = ["admin", "curator", "reviewer", "submitter", "reader", "operator"] as const;
export type Role = (typeof ROLES)[number];

/**
 * The roles an organisation's admin may give through the API. `operator` (the coalition's
 * operator, who runs rasd and sees coalition-wide figures) is given only on the server's own
 * command line (`rasd key create --role operator`), so no member can grant it to itself.
 */
export const ORG_ROLES = ["admin", "curator", "reviewer", "submitter", "reader"] as const satisfies readonly Role[];

export const PERMISSIONS = [
  "org.read",
  "org.write",
  "bank.read",
  "bank.write",
  "signal.read",
  "signal.write",
  "match.lookup",
  "content.submit",
  "content.read",
  "review.read",
  "review.decide",
  "rule.read",
  "rule.write",
  "action.redeliver",
  "audit.read",
  "people.write",
  "settings.write",
  "metrics.read",
  "measure.read",
  "coalition.read",
  "counter.read",
  "counter.write",
  "counter.approve",
  "counter.redirect",
  "incident.read",
  "incident.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Figures across every member (counters in /metrics, index sizes, takedown figures naming
 * members): only the operator's. A member's own roles see their own figures, and the
 * coalition's only in aggregate. And adding a member organisation (org.write): the operator's,
 * as `rasd org create` on the server is.
 */
const COALITION_WIDE: readonly Permission[] = ["metrics.read", "coalition.read", "org.write"];

const READ: readonly Permission[] = [
  "org.read",
  "bank.read",
  "signal.read",
  "content.read",
  "rule.read",
  "measure.read",
  "counter.read",
  "incident.read",
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  /** Everything within the organisation: people, keys, rules, the audit log. */
  admin: new Set(PERMISSIONS.filter((p) => !COALITION_WIDE.includes(p))),
  /** Manages banks and signals. */
  curator: new Set([...READ, "bank.write", "signal.write", "match.lookup", "counter.write", "counter.redirect"]),
  /** Works the review queue; approves and retires the organisation's counter-content. */
  reviewer: new Set([...READ, "review.read", "review.decide", "counter.approve"]),
  /**
   * A platform's integration: sends content, looks up hashes, asks for counter-content to
   * show (POST /v1/redirect) and reports what was shown.
   */
  submitter: new Set([
    "org.read",
    "bank.read",
    "content.submit",
    "content.read",
    "match.lookup",
    "counter.read",
    "counter.redirect",
    "incident.read",
  ]),
  /** Reads, changes nothing. */
  reader: new Set([...READ, "review.read"]),
  /**
   * The coalition's operator: the process's metrics (Prometheus scrapes with this role's key),
   * figures per member across the coalition, readiness detail, every audit chain's check, and
   * adding member organisations (with their first admin).
   */
  operator: new Set(["org.read", "measure.read", "audit.read", ...COALITION_WIDE]),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
