/** Calendar periods in UTC for figures over time: days, ISO weeks (from Monday) and months. Pure. */

export const INTERVALS = ["hour", "day", "week", "month"] as const;
export type Interval = (typeof INTERVALS)[number];

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The start of the period containing `ms`. */
export function periodStart(ms: number, interval: Interval): number {
  if (interval === "hour") return Math.floor(ms / HOUR) * HOUR;
  const day = Math.floor(ms / DAY) * DAY;
  if (interval === "day") return day;
  if (interval === "week") {
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY;
  }
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the period after the one starting at `start`. */
function nextPeriod(start: number, interval: Interval): number {
  if (interval === "hour") return start + HOUR;
  if (interval === "day") return start + DAY;
  if (interval === "week") return start + 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** Every period overlapping [from, to), in order; at most `max` of them (else undefined). */
export function periodsBetween(
  from: number,
  to: number,
  interval: Interval,
  max = 2000,
): { start: number; end: number }[] | undefined {
  const out: { start: number; end: number }[] = [];
  for (let start = periodStart(from, interval); start < to; start = nextPeriod(start, interval)) {
    if (out.length >= max) return undefined;
    out.push({ start, end: nextPeriod(start, interval) });
  }
  return out;
}
