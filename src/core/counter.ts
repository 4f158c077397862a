/**
 * Counter-messaging (issue 20): the counter-narrative library's vocabulary and its rules —
 * the narratives an item answers, its kinds, languages and approval workflow, who may approve
 * it and who may see or serve it. Pure. The reasons are in docs/counter-messaging.md and
 * decision 0024.
 */

import { BEHAVIOURS, type Tlp } from "./model.js";
import { can, type Role } from "./roles.js";
import { NO_SHARING, canSeeBank, type Viewer } from "./sharing.js";

/** The propaganda themes counter-content answers (docs/counter-messaging.md defines each). */
export const COUNTER_THEMES = [
  "caliphate-utopia",
  "religious-legitimacy",
  "victimhood",
  "belonging",
  "brutality-as-strength",
] as const;

/** Every narrative an item may answer: the five themes and the coalition's behaviour labels. */
export const NARRATIVES = [...COUNTER_THEMES, ...BEHAVIOURS] as const;
export type Narrative = (typeof NARRATIVES)[number];

export function isNarrative(value: string): value is Narrative {
  return (NARRATIVES as readonly string[]).includes(value);
}

/**
 * The narrative of a stance verdict's behaviour: the classifier writes `sectarian_hate`, the
 * taxonomy `sectarian-hate`; anything else the classifier may say is not a narrative.
 */
export function narrativeOfBehaviour(behaviour: string | undefined | null): Narrative | undefined {
  if (!behaviour) return undefined;
  const name = behaviour.replace(/_/g, "-");
  return isNarrative(name) ? name : undefined;
}

export const COUNTER_KINDS = ["text", "image", "video", "url"] as const;
export type CounterKind = (typeof COUNTER_KINDS)[number];

/** The library's languages. */
export const COUNTER_LANGS = ["ar", "en"] as const;
export type CounterLang = (typeof COUNTER_LANGS)[number];

/** draft → approved → retired; nothing goes back (a retired item is copied into a new draft instead). */
export const COUNTER_STATUSES = ["draft", "approved", "retired"] as const;
export type CounterStatus = (typeof COUNTER_STATUSES)[number];

/** The transitions the workflow allows. */
export const COUNTER_TRANSITIONS: Readonly<Record<CounterStatus, readonly CounterStatus[]>> = {
  draft: ["approved", "retired"],
  approved: ["retired"],
  retired: [],
};

export interface CounterItem {
  readonly id: number;
  /** The owner organisation. */
  readonly orgId: number;
  readonly kind: CounterKind;
  readonly title: string;
  /** The text shown (a text item), or a caption. */
  readonly body: string;
  /** Where the content lives (required for image, video and url items). */
  readonly url: string | null;
  /** A hash of the media (e.g. "pdq:…", "md5:…"), when known. */
  readonly mediaHash: string | null;
  readonly narratives: readonly Narrative[];
  /** Who it is for, in words ("young men searching for travel routes"). */
  readonly audience: string;
  readonly lang: CounterLang;
  readonly tlp: Tlp;
  readonly status: CounterStatus;
  readonly createdBy: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly approvedBy: number | null;
  readonly approvedAt: number | null;
  readonly retiredBy: number | null;
  readonly retiredAt: number | null;
}

/**
 * Who may see an item in the library: its own organisation always (drafts included); other
 * members only approved or retired items, after TLP as for banks (core/sharing.ts; items have
 * no sharing group, so AMBER is the owner's only, and RED its admins').
 */
export function canSeeCounterItem(viewer: Viewer, item: Pick<CounterItem, "orgId" | "tlp" | "status">): boolean {
  if (viewer.orgId !== item.orgId && item.status === "draft") return false;
  return canSeeBank(viewer, { orgId: item.orgId, tlp: item.tlp, deleted: false }, NO_SHARING);
}

/**
 * Who may approve or retire an item: its own organisation's admin or reviewer — the
 * people who already decide what their organisation publishes as violating — never the
 * curator who drafted it alone, and never another member.
 */
export function canApproveCounterItem(viewer: Viewer, item: Pick<CounterItem, "orgId">): boolean {
  return viewer.orgId === item.orgId && can(viewer.role, "counter.approve");
}

/**
 * Whether a redirect for `orgId` may serve an item: approved, and either the caller's own
 * (any TLP but RED: RED is never for display) or another member's marked CLEAR — serving it to
 * a searcher discloses it outside the coalition, which only CLEAR allows.
 */
export function canServeCounterItem(orgId: number, item: Pick<CounterItem, "orgId" | "tlp" | "status">): boolean {
  if (item.status !== "approved") return false;
  return item.orgId === orgId ? item.tlp !== "RED" : item.tlp === "CLEAR";
}

/** The roles that approve (documented with the permission in roles.ts). */
export const COUNTER_APPROVER_ROLES: readonly Role[] = ["admin", "reviewer"];

/** The kinds of event a platform reports for a served item. */
export const COUNTER_EVENT_KINDS = ["impression", "click", "watch"] as const;
export type CounterEventKind = (typeof COUNTER_EVENT_KINDS)[number];
