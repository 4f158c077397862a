/**
 * Review wellness (issue 18, decision 0028), as the best review tools do: each person's
 * preferences (blur strength and greyscale before revealing, break prompts after a time or a
 * number of items, audio muted by default), stored on the server so they follow the person;
 * an organisation's daily limit on the review entries one person may open, which the claim
 * (opening an entry) enforces; and the exposure counter behind both.
 */

import { RasdError } from "../core/errors.js";
import type { DailyLimit, ReviewPreferences, WellnessStore } from "../storage/ports/index.js";

const DAY = 86_400_000;
/** Days of exposures kept (only today's are read): a month and a bit, then deleted. */
export const EXPOSURE_KEEP_DAYS = 35;

/** Safe by default: strong blur, greyscale, a break every 30 minutes or 40 items, muted. */
export const DEFAULT_PREFERENCES: ReviewPreferences = {
  blur: 24,
  greyscale: true,
  breakMinutes: 30,
  breakItems: 40,
  audio: false,
};

/** The bounds of each preference (the API's schema says the same). */
export const PREFERENCE_BOUNDS = {
  blur: { min: 0, max: 64 },
  breakMinutes: { min: 0, max: 480 },
  breakItems: { min: 0, max: 1000 },
  dailyLimit: { min: 1, max: 10_000 },
} as const;

/** The UTC day (midnight, ms) that `at` falls in. */
export function dayOf(at: number): number {
  return Math.floor(at / DAY) * DAY;
}

function within(name: keyof typeof PREFERENCE_BOUNDS, value: number): number {
  const b = PREFERENCE_BOUNDS[name];
  if (!Number.isInteger(value) || value < b.min || value > b.max)
    throw new RasdError("invalid", `${name}: must be a whole number from ${b.min} to ${b.max}, not ${value}`);
  return value;
}

export interface Exposure {
  /** Distinct review entries the person opened today (UTC). */
  readonly seenToday: number;
  /** The organisation's daily limit (null: none). */
  readonly dailyLimit: number | null;
  /** Entries left today (null: no limit). */
  readonly remaining: number | null;
  /** UTC midnight when the count starts again. */
  readonly resetsAt: number;
}

export class WellnessService {
  /** The day whose older exposures this process last deleted. */
  private prunedDay = 0;

  constructor(private readonly store: WellnessStore) {}

  /** The person's preferences, the defaults where they saved none. */
  async preferences(personId: number): Promise<ReviewPreferences & { saved: boolean }> {
    const p = await this.store.getPreferences(personId);
    return { ...(p ?? DEFAULT_PREFERENCES), saved: p !== undefined };
  }

  /** Saves a change of preferences (fields not given keep their value). */
  async savePreferences(personId: number, change: Partial<ReviewPreferences>, now = Date.now()) {
    const current = await this.preferences(personId);
    const next: ReviewPreferences = {
      blur: within("blur", change.blur ?? current.blur),
      greyscale: change.greyscale ?? current.greyscale,
      breakMinutes: within("breakMinutes", change.breakMinutes ?? current.breakMinutes),
      breakItems: within("breakItems", change.breakItems ?? current.breakItems),
      audio: change.audio ?? current.audio,
    };
    await this.store.setPreferences(personId, next, now);
    return { ...next, saved: true };
  }

  limit(orgId: number): Promise<DailyLimit> {
    return this.store.getDailyLimit(orgId);
  }

  async setLimit(orgId: number, limit: number | null, by: number, now = Date.now()): Promise<DailyLimit> {
    await this.store.setDailyLimit(orgId, limit === null ? null : within("dailyLimit", limit), by, now);
    return this.store.getDailyLimit(orgId);
  }

  async exposure(personId: number, orgId: number, now = Date.now()): Promise<Exposure> {
    const day = dayOf(now);
    const [{ count }, { dailyLimit }] = await Promise.all([
      this.store.exposures(personId, day),
      this.store.getDailyLimit(orgId),
    ]);
    return {
      seenToday: count,
      dailyLimit,
      remaining: dailyLimit === null ? null : Math.max(0, dailyLimit - count),
      resetsAt: day + DAY,
    };
  }

  /**
   * Before a person opens (claims) an entry: refuses a new entry once they opened the daily
   * limit today (the same entry again is allowed: renewing a claim is not a new exposure),
   * else records the exposure.
   */
  async admit(personId: number, orgId: number, reviewId: number, now = Date.now()): Promise<void> {
    const day = dayOf(now);
    const [{ count, includes }, { dailyLimit }] = await Promise.all([
      this.store.exposures(personId, day, reviewId),
      this.store.getDailyLimit(orgId),
    ]);
    if (includes) return;
    if (dailyLimit !== null && count >= dailyLimit)
      throw new RasdError(
        "review.daily_limit",
        `daily review limit reached: you opened ${count} of ${dailyLimit} items today, the limit your organisation set; the count starts again at ${new Date(day + DAY).toISOString()}`,
      );
    await this.store.recordExposure(personId, reviewId, day, now);
    // Only today's count is read; older days are kept a while, then deleted (once a day per process).
    if (day !== this.prunedDay) {
      this.prunedDay = day;
      await this.store.pruneExposures(day - EXPOSURE_KEEP_DAYS * DAY);
    }
  }
}
