/** Time ranges for the dashboard and readable durations and dates, in the person's locale and digits. */

import { formatDateTime, formatNumber, formatPercent, intlTag, t } from "./i18n.js";

export type Interval = "hour" | "day" | "week";

export interface RangePreset {
  readonly id: string;
  /** The number in the range's label ("Last 7 days"). */
  readonly n: number;
  readonly ms: number;
  readonly interval: Interval;
  /** The measurement API's interval for the same range. */
  readonly measureInterval: "day" | "week" | "month";
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

export const RANGES: readonly RangePreset[] = [
  { id: "24h", n: 24, ms: DAY, interval: "hour", measureInterval: "day" },
  { id: "7d", n: 7, ms: 7 * DAY, interval: "day", measureInterval: "day" },
  { id: "30d", n: 30, ms: 30 * DAY, interval: "day", measureInterval: "week" },
  { id: "12w", n: 12, ms: 84 * DAY, interval: "week", measureInterval: "week" },
];

/** "Last 7 days", in the locale. */
export function rangeLabel(preset: RangePreset): string {
  return t(`range.${preset.id}`, { n: preset.n });
}

/** [from, to) as ISO strings for a preset, ending now. */
export function rangeOf(preset: RangePreset, now: number): { from: string; to: string } {
  return { from: new Date(now - preset.ms).toISOString(), to: new Date(now).toISOString() };
}

/** 850 ms, 12 s, 4 min 5 s, 2 h 3 min, 3 d 4 h (in the locale's words and digits). */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return t("duration.ms", { n: Math.round(ms) });
  const s = ms / 1000;
  if (s < 60) return t("duration.s", { n: formatNumber(s, { maximumFractionDigits: s < 10 ? 1 : 0 }) });
  const m = Math.floor(s / 60);
  if (m < 60) return t("duration.min", { m, s: Math.round(s - m * 60) });
  const h = Math.floor(m / 60);
  if (h < 48) return t("duration.h", { h, m: m - h * 60 });
  const d = Math.floor(h / 24);
  return t("duration.d", { d, h: h - d * 24 });
}

/** A period's label: the hour for hours, the day and month for days and weeks (UTC, as the API buckets). */
export function periodLabel(iso: string, interval: Interval): string {
  if (interval === "hour") return formatDateTime(iso, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return formatDateTime(iso, { day: "numeric", month: "short" });
}

/** "3 min. ago", "2 hr. ago", "5 days ago" — Intl's relative time in the locale and digits. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return "";
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return "";
  const rtf = new Intl.RelativeTimeFormat(intlTag(), { style: "short", numeric: "auto" });
  if (ms < 60_000) return rtf.format(0, "second");
  if (ms < HOUR) return rtf.format(-Math.floor(ms / 60_000), "minute");
  if (ms < DAY) return rtf.format(-Math.floor(ms / HOUR), "hour");
  return rtf.format(-Math.floor(ms / DAY), "day");
}

export function percent(share: number | null | undefined, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return "—";
  return formatPercent(share, digits);
}
