/**
 * Account signals in the browser (issue 19): the record read from a signal's value, links
 * defanged so they are read, never followed, and the avatar's PDQ hash as a picture of its
 * 256 bits (rasd keeps no avatar image, only its hash). Pure, so it is tested without a browser.
 */

/** An account record as the API sends it (kernels/accounts' canonical JSON). */
export interface AccountRecordView {
  platform: string;
  id?: string;
  handle: string;
  name?: string;
  bio?: string;
  avatar_pdq?: string;
  links?: string[];
  mentions?: string[];
  created?: string;
  suspended?: string;
  reason?: string[];
}

/** One piece of ban-evasion evidence (kernels/accounts/score.ts's Evidence). */
export interface EvidenceView {
  kind: string;
  strength: number;
  variant?: string;
  query?: string;
  matched?: string;
  similarity?: number;
  distance?: number;
  shared?: string[];
  value?: string;
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The record in a signal's value (or an API answer), or undefined when it is not an account. */
export function parseAccount(value: unknown): AccountRecordView | undefined {
  let o: unknown = value;
  if (typeof value === "string") {
    try {
      o = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  const platform = str(r.platform);
  const handle = str(r.handle);
  if (!platform || !handle) return undefined;
  const pdq = str(r.avatar_pdq);
  const out: AccountRecordView = { platform, handle };
  for (const k of ["id", "name", "bio", "created", "suspended"] as const) {
    const v = str(r[k]);
    if (v !== undefined) out[k] = v;
  }
  if (pdq && /^[0-9a-fA-F]{64}$/.test(pdq)) out.avatar_pdq = pdq.toLowerCase();
  for (const k of ["links", "mentions", "reason"] as const) {
    const v = strings(r[k]);
    if (v && v.length) out[k] = v;
  }
  return out;
}

/**
 * A link as text that is not a link: `hxxps://example[.]com/path`. The scheme's "http" becomes
 * "hxxp" and every dot of the host is bracketed, so neither a person nor a program follows it
 * by accident (a copy pasted into a browser does not load).
 */
export function defang(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/?#]*)(.*)$/is.exec(url.trim());
  if (!m) return url;
  const scheme = (m[1] ?? "").replace(/^http/i, (h) => (h === "HTTP" ? "HXXP" : "hxxp"));
  const host = (m[2] ?? "").replaceAll(".", "[.]");
  return `${scheme}${host}${m[3] ?? ""}`;
}

/** The 256 bits of a PDQ hash, row by row (16 × 16), most significant first. */
export function pdqBits(hex: string): boolean[] {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`not a PDQ hash: ${hex.slice(0, 70)}`);
  const out: boolean[] = [];
  for (const ch of hex) {
    const n = parseInt(ch, 16);
    for (let b = 3; b >= 0; b--) out.push(((n >> b) & 1) === 1);
  }
  return out;
}

/** The Hamming distance of two PDQ hashes (the avatar evidence's distance). */
export function pdqDistance(a: string, b: string): number {
  const x = pdqBits(a);
  const y = pdqBits(b);
  let d = 0;
  for (let i = 0; i < 256; i++) if (x[i] !== y[i]) d++;
  return d;
}

/** The features a reviewer sees, in this order, whether or not they gave evidence. */
export const EVIDENCE_KINDS = ["platform-id", "handle", "name", "bio", "avatar", "links", "mentions"] as const;

/** The handle variant kinds the matcher names (kernels/accounts/score.ts's HandleVariant). */
export const HANDLE_VARIANTS = ["same", "platform-id", "digits", "look-alike", "edit", "transliteration"] as const;

/** Evidence by feature: the strongest piece of each kind. */
export function evidenceByKind(evidence: readonly EvidenceView[]): Map<string, EvidenceView> {
  const out = new Map<string, EvidenceView>();
  for (const e of evidence) {
    const had = out.get(e.kind);
    if (!had || e.strength > had.strength) out.set(e.kind, e);
  }
  return out;
}

/** Whether a score reaches the threshold it is compared against. */
export function passes(score: number, threshold: number): boolean {
  return score >= threshold;
}
