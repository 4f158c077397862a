/**
 * Who may see a bank, after TLP 2.0 as the coalition uses it:
 *
 *   CLEAR         every member, and it may leave the coalition (public exports, reports)
 *   GREEN         every member of the coalition
 *   AMBER         the bank's organisation and the organisations of its sharing group
 *   AMBER+STRICT  the bank's organisation only (the default), and the organisations its owner
 *                 names as recipients (TLP 2.0 lets the source name them; each keeps it within
 *                 itself: a federation link's copy is its receiving organisation's alone)
 *   RED           named people only (and the owning organisation's admins, who manage it)
 *
 * Seeing a bank means seeing its signals and being matched against them. Changing it is
 * reserved to its own organisation. Pure functions over plain data.
 */

import type { Bank } from "./model.js";
import { can, type Role } from "./roles.js";

export interface Viewer {
  readonly orgId: number;
  readonly personId: number;
  readonly role: Role;
}

export interface BankSharing {
  /** Organisations of the sharing group (AMBER). */
  readonly orgs: ReadonlySet<number>;
  /** People named on a RED bank. */
  readonly people: ReadonlySet<number>;
  /** Organisations named as recipients of an AMBER+STRICT bank (absent: none). */
  readonly recipients?: ReadonlySet<number>;
}

export const NO_SHARING: BankSharing = Object.freeze({ orgs: new Set<number>(), people: new Set<number>() });

export function canSeeBank(
  viewer: Viewer,
  bank: Pick<Bank, "orgId" | "tlp" | "deleted">,
  sharing: BankSharing,
): boolean {
  if (bank.deleted) return false;
  const own = viewer.orgId === bank.orgId;
  switch (bank.tlp) {
    case "CLEAR":
    case "GREEN":
      return true;
    case "AMBER":
      return own || sharing.orgs.has(viewer.orgId);
    case "AMBER+STRICT":
      return own || (sharing.recipients?.has(viewer.orgId) ?? false);
    case "RED":
      return sharing.people.has(viewer.personId) || (own && viewer.role === "admin");
  }
}

/** Changing a bank, its signals or its sharing: its own organisation, with the right role. */
export function canChangeBank(
  viewer: Viewer,
  bank: Pick<Bank, "orgId" | "tlp" | "deleted">,
  sharing: BankSharing,
): boolean {
  return viewer.orgId === bank.orgId && can(viewer.role, "bank.write") && canSeeBank(viewer, bank, sharing);
}
