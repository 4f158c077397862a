/**
 * Members' opinions of a signal as STIX 2.1 Opinion objects (STIX 2.1 §4.10), and back (pure).
 *
 * An opinion refers to its signal's Indicator (`object_refs`), carries the bank's TLP marking,
 * and names its organisation (`created_by_ref` and `authors`) only when the sender's policy
 * allows (decision 0042). rasd's four kinds map one to one onto STIX's opinion scale, so the
 * round trip loses nothing: confirm = strongly-agree, saw-it-too = agree, dispute = disagree,
 * false-positive = strongly-disagree (STIX's `neutral` has no rasd kind). A retracted opinion is
 * a revoked Opinion (a later version, `revoked: true`).
 */

import { OPINION_KINDS, type OpinionKind } from "../../core/model.js";
import { STIX_NAMESPACE, organisationIdentityId, type StixObject } from "./indicator.js";
import { uuidv5 } from "./uuid.js";

export const STIX_OPINIONS: Readonly<Record<OpinionKind, string>> = {
  confirm: "strongly-agree",
  "saw-it-too": "agree",
  dispute: "disagree",
  "false-positive": "strongly-disagree",
};

/** STIX 2.1's opinion-enum. */
export const STIX_OPINION_VALUES = ["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"] as const;

/** An opinion as it leaves or enters rasd through a file or STIX. */
export interface OpinionRecord {
  /** A stable name for it, unique among one signal's opinions from one sender. */
  readonly key: string;
  /** The organisation's name, when the sender's policy gives it. */
  readonly orgName: string | null;
  readonly kind: OpinionKind;
  readonly note: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly retracted: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The Opinion's id: stable for one opinion (its key) of one Indicator, so its versions share it. */
export function opinionId(indicatorRef: string, key: string): string {
  return `opinion--${uuidv5(STIX_NAMESPACE, `${indicatorRef}/opinion/${key}`)}`;
}

/** One opinion of the Indicator `indicator` (its id and markings are taken). */
export function opinionToStix(o: OpinionRecord, indicator: StixObject): StixObject {
  const created = Math.min(o.createdAt, o.updatedAt);
  return {
    type: "opinion",
    spec_version: "2.1",
    id: opinionId(indicator.id, o.key),
    ...(o.orgName !== null ? { created_by_ref: organisationIdentityId(o.orgName) } : {}),
    created: iso(created),
    modified: iso(o.updatedAt),
    ...(o.note !== "" ? { explanation: o.note } : {}),
    ...(o.orgName !== null ? { authors: [o.orgName] } : {}),
    opinion: STIX_OPINIONS[o.kind],
    object_refs: [indicator.id],
    ...(o.retracted ? { revoked: true } : {}),
    ...(Array.isArray(indicator.object_marking_refs) ? { object_marking_refs: indicator.object_marking_refs } : {}),
  };
}

export type OpinionRead =
  | { readonly ok: true; readonly indicatorRef: string; readonly opinion: OpinionRecord }
  | { readonly ok: false; readonly message: string };

/**
 * An Opinion (rasd's or another tool's) about an Indicator as a rasd opinion, or why not. Its
 * key is its STIX id; its organisation is its first author (or the name of the identity
 * `identities` gives for its creator).
 */
export function stixToOpinion(o: Record<string, unknown>, identities?: ReadonlyMap<string, string>): OpinionRead {
  const id = typeof o.id === "string" ? o.id : "";
  if (!id.startsWith("opinion--")) return { ok: false, message: `not an opinion: ${id || "no id"}` };
  const value = o.opinion;
  const kind = (OPINION_KINDS as readonly OpinionKind[]).find((k) => STIX_OPINIONS[k] === value);
  if (kind === undefined)
    return {
      ok: false,
      message: `${id}: opinion ${JSON.stringify(value)} has no rasd kind (rasd reads ${Object.values(STIX_OPINIONS).join(", ")})`,
    };
  const refs = Array.isArray(o.object_refs) ? o.object_refs.filter((r): r is string => typeof r === "string") : [];
  const indicatorRef = refs.find((r) => r.startsWith("indicator--"));
  if (indicatorRef === undefined) return { ok: false, message: `${id}: refers to no indicator` };
  const modified = Date.parse(typeof o.modified === "string" ? o.modified : "");
  const created = Date.parse(typeof o.created === "string" ? o.created : "");
  if (!Number.isFinite(modified)) return { ok: false, message: `${id}: modified is not a timestamp` };
  const author = Array.isArray(o.authors) && typeof o.authors[0] === "string" ? o.authors[0] : undefined;
  const creator = typeof o.created_by_ref === "string" ? identities?.get(o.created_by_ref) : undefined;
  return {
    ok: true,
    indicatorRef,
    opinion: {
      key: id,
      orgName: author ?? creator ?? null,
      kind,
      note: typeof o.explanation === "string" ? o.explanation : "",
      createdAt: Number.isFinite(created) ? created : modified,
      updatedAt: modified,
      retracted: o.revoked === true,
    },
  };
}
