/** Time ranges for the dashboard and readable durations and dates. */

export type Interval = "hour" | "day" | "week";

export interface RangePreset {
  readonly id: string;
  readonly label: string;
  readonly ms: number;
  readonly interval: Interval;
  /** The measurement API's interval for the same range. */
  readonly measureInterval: "day" | "week" | "month";
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const RANGES: readonly RangePreset[] = [
  { id: "24h", label: "Last 24 hours", ms: DAY, interval: "hour", measureInterval: "day" },
  { id: "7d", label: "Last 7 days", ms: 7 * DAY, interval: "day", measureInterval: "day" },
  { id: "30d", label: "Last 30 days", ms: 30 * DAY, interval: "day", measureInterval: "week" },
  { id: "12w", label: "Last 12 weeks", ms: 84 * DAY, interval: "week", measureInterval: "week" },
];

/** [from, to) as ISO strings for a preset, ending now. */
export function rangeOf(preset: RangePreset, now: number): { from: string; to: string } {
  return { from: new Date(now - preset.ms).toISOString(), to: new Date(now).toISOString() };
}

/** 850 ms, 12.3 s, 4 min 5 s, 2 h 3 min, 3 d 4 h. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  const d = Math.floor(h / 24);
  return `${d} d ${h - d * 24} h`;
}

/** A period's label: "14:00" for hours, "3 Mar" for days and weeks (UTC, as the API buckets). */
export function periodLabel(iso: string, interval: Interval): string {
  const d = new Date(iso);
  const month = d.toLocaleString("en-GB", { month: "short", timeZone: "UTC" });
  if (interval === "hour") return `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  return `${d.getUTCDate()} ${month}`;
}

/** "3 min ago", "2 h ago", "5 d ago". */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return "";
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return "";
  if (ms < 60_000) return "just now";
  if (ms < HOUR) return `${Math.floor(ms / 60_000)} min ago`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h ago`;
  return `${Math.floor(ms / DAY)} d ago`;
}

export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(digits)}%`;
}
