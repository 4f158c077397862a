/**
 * Roles and what each may do. One table, read by the HTTP layer (every route names the
 * permission it needs) and by the authorisation test that walks every route.
 */

export const ROLES = ["admin", "curator", "reviewer", "submitter", "reader"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "org.read",
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
  "metrics.read",
  "measure.read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: readonly Permission[] = [
  "org.read",
  "bank.read",
  "signal.read",
  "content.read",
  "rule.read",
  "measure.read",
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  /** Everything within the organisation: people, keys, rules, the audit log. */
  admin: new Set(PERMISSIONS),
  /** Manages banks and signals. */
  curator: new Set([...READ, "bank.write", "signal.write", "match.lookup"]),
  /** Works the review queue. */
  reviewer: new Set([...READ, "review.read", "review.decide"]),
  /** A platform's integration: sends content, looks up hashes. */
  submitter: new Set(["org.read", "bank.read", "content.submit", "content.read", "match.lookup"]),
  /** Reads, changes nothing. */
  reader: new Set([...READ, "review.read", "metrics.read"]),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
