/**
 * The domain model of signal sharing: organisations, banks, signals and opinions.
 * Plain types and the vocabularies that validation uses; no I/O.
 */

export const ORG_KINDS = ["government", "platform", "ngo"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Signal types rasd matches. */
export const SIGNAL_TYPES = [
  "pdq",
  "md5",
  "sha256",
  "url",
  "url_md5",
  "domain",
  "text",
  "vpdq",
  "video_md5",
  "account",
] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

export const SIGNAL_STATUSES = ["active", "retracted"] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/** Behaviour labels, after the coalition's taxonomy. */
export const BEHAVIOURS = [
  "recruitment",
  "glorification",
  "instruction",
  "incitement",
  "sectarian-hate",
  "graphic-violence",
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export const OPINION_KINDS = ["confirm", "dispute", "false-positive", "saw-it-too"] as const;
export type OpinionKind = (typeof OPINION_KINDS)[number];

/** Labels on a signal. Entities are open-ended lower-case slugs (isis, aq, ...). */
export interface Labels {
  readonly entity: readonly string[];
  readonly behaviour: readonly Behaviour[];
  /** ISO 639-1 codes, e.g. "ar", "en". */
  readonly language: readonly string[];
}

export const EMPTY_LABELS: Labels = Object.freeze({ entity: [], behaviour: [], language: [] });

export interface Org {
  readonly id: number;
  readonly name: string;
  readonly kind: OrgKind;
  readonly createdAt: number;
}

/** Traffic Light Protocol 2.0 markings, and what each means inside rasd (see core/sharing.ts). */
export const TLP_MARKINGS = ["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"] as const;
export type Tlp = (typeof TLP_MARKINGS)[number];

export interface Bank {
  readonly id: number;
  readonly orgId: number;
  readonly name: string;
  readonly description: string;
  /** What a match suggests doing, e.g. "remove", "review", "label". A hint, not a rule. */
  readonly actionHint: string;
  /** An allow-list: its matches suppress matches from other banks. */
  readonly negative: boolean;
  /** PDQ matches need distance ≤ this (0..PDQ_MATCH_THRESHOLD). */
  readonly pdqThreshold: number;
  /** PDQ queries below this quality are not matched against this bank. */
  readonly pdqMinQuality: number;
  /** Text matches need similarity ≥ this (0..1). */
  readonly textMinSimilarity: number;
  /** Ban-evasion (account) matches need a score ≥ this (0..1]; default DEFAULT_ACCOUNT_MIN_SCORE. */
  readonly accountMinScore: number;
  /** Who may see and match against it. */
  readonly tlp: Tlp;
  /** HMA's gradual roll-out: the share of lookups (0..1) that consult this bank. */
  readonly enabledRatio: number;
  /** Deleted banks keep their rows (retracted signals are tombstones) but are not listed. */
  readonly deleted: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface Signal {
  readonly id: number;
  readonly bankId: number;
  readonly type: SignalType;
  /** The canonical value matched on (lower-case hex, canonical URL, host, text as given). */
  readonly value: string;
  /** PDQ quality when known. */
  readonly quality: number | null;
  readonly labels: Labels;
  /** 0..100. */
  readonly confidence: number;
  readonly source: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly status: SignalStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The change cursor value of this signal's latest change. */
  readonly changeSeq: number;
}

/** What a match index needs of a signal (loading reads only these columns). */
export type IndexedSignal = Pick<Signal, "id" | "bankId" | "type" | "value" | "status">;

export interface Opinion {
  readonly signalId: number;
  readonly orgId: number;
  readonly kind: OpinionKind;
  readonly note: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Set when the organisation took it back: a tombstone, kept so that mirrors learn of it. */
  readonly retractedAt?: number;
  /** The opinion's own number (a stable, org-free name for it across systems). */
  readonly id?: number;
}

/**
 * An opinion that came from elsewhere (decision 0042): a peer's exchange or an imported file.
 * It speaks for no organisation of this instance; `orgName` is the remote's, when its policy
 * gave it.
 */
export interface ForeignOpinion {
  readonly signalId: number;
  /** "exchange <NAME>" or "import". */
  readonly source: string;
  /** The remote's stable name for this opinion (unique per signal and source). */
  readonly originKey: string;
  readonly orgName: string | null;
  readonly kind: OpinionKind;
  readonly note: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** PDQ's match distance (the reference's and HMA's): a bank's default threshold. */
export const PDQ_MATCH_THRESHOLD = 31;
export const DEFAULT_PDQ_THRESHOLD = PDQ_MATCH_THRESHOLD;
/** PDQ hashes below this quality are not trusted: HMA gives no hash, banks do not match them by default. */
export const PDQ_MIN_QUALITY = 50;
export const DEFAULT_PDQ_MIN_QUALITY = PDQ_MIN_QUALITY;
export const DEFAULT_TEXT_MIN_SIMILARITY = 0.5;
/** The score a ban-evasion match needs by default (decision 0026); a bank may set its own (0031). */
export const DEFAULT_ACCOUNT_MIN_SCORE = 0.8;
