/**
 * Review wellness in the browser (decision 0028): this session's exposure — items opened and
 * time spent on the review screen — and when a break is due, from the person's preferences
 * (stored on the server, GET /v1/reviews/wellness). Pure, so it is tested without a browser.
 */

/** The person's preferences as the API sends them. */
export interface WellnessPreferences {
  blur: number;
  greyscale: boolean;
  break_minutes: number;
  break_items: number;
  audio: boolean;
  saved?: boolean;
}

export interface Exposure {
  seen_today: number;
  daily_limit: number | null;
  remaining: number | null;
  resets_at: string;
}

/** This tab's reviewing session. */
export interface ReviewSession {
  /** Entries opened this session (ids, each once). */
  readonly seen: readonly number[];
  /** Milliseconds spent on the review screen this session. */
  readonly activeMs: number;
  /** At the last break (or the start): items seen and time spent then. */
  readonly breakAt: { readonly items: number; readonly activeMs: number };
}

export const NEW_SESSION: ReviewSession = { seen: [], activeMs: 0, breakAt: { items: 0, activeMs: 0 } };

/** The longest gap counted as reviewing between two ticks (a tab asleep does not count). */
export const MAX_TICK_MS = 60_000;

export function opened(s: ReviewSession, id: number): ReviewSession {
  return s.seen.includes(id) ? s : { ...s, seen: [...s.seen, id] };
}

/** Adds the time since the last tick (capped: a sleeping tab is not reviewing). */
export function ticked(s: ReviewSession, elapsedMs: number): ReviewSession {
  if (!(elapsedMs > 0)) return s;
  return { ...s, activeMs: s.activeMs + Math.min(elapsedMs, MAX_TICK_MS) };
}

/** Why a break is due now, if it is: the time or the number of items since the last break. */
export function breakDue(
  s: ReviewSession,
  p: Pick<WellnessPreferences, "break_minutes" | "break_items">,
): "time" | "items" | undefined {
  if (p.break_items > 0 && s.seen.length - s.breakAt.items >= p.break_items) return "items";
  if (p.break_minutes > 0 && s.activeMs - s.breakAt.activeMs >= p.break_minutes * 60_000) return "time";
  return undefined;
}

/** After a break (or a choice to carry on): the counts start again from now. */
export function tookBreak(s: ReviewSession): ReviewSession {
  return { ...s, breakAt: { items: s.seen.length, activeMs: s.activeMs } };
}

/** The CSS filter of concealed media: the person's blur strength and greyscale. */
export function concealFilter(p: Pick<WellnessPreferences, "blur" | "greyscale">): string {
  const parts = [p.blur > 0 ? `blur(${Math.round(p.blur)}px)` : "", p.greyscale ? "grayscale(1)" : ""].filter(Boolean);
  return parts.length ? parts.join(" ") : "none";
}

const KEY = "rasd.review.session";

interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function store(): KeyStore | undefined {
  try {
    return (globalThis as { sessionStorage?: KeyStore }).sessionStorage;
  } catch {
    return undefined;
  }
}

export function loadSession(): ReviewSession {
  try {
    const s = JSON.parse(store()?.getItem(KEY) ?? "null") as ReviewSession | null;
    return s && Array.isArray(s.seen) && typeof s.activeMs === "number" && s.breakAt ? s : NEW_SESSION;
  } catch {
    return NEW_SESSION;
  }
}

export function saveSession(s: ReviewSession): void {
  try {
    store()?.setItem(KEY, JSON.stringify(s));
  } catch {
    // a refused store: the counters start again in a new tab, nothing else is lost
  }
}
