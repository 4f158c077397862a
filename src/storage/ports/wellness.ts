/**
 * Review wellness (issue 18, decision 0028): a person's review preferences, an organisation's
 * daily limit, and exposures — which review entries a person opened on which UTC day.
 */

export interface ReviewPreferences {
  /** Blur strength of media before it is revealed, in CSS pixels (0: no blur). */
  readonly blur: number;
  /** Media shown in greyscale until revealed. */
  readonly greyscale: boolean;
  /** A break prompt after this many minutes of reviewing (0: never). */
  readonly breakMinutes: number;
  /** A break prompt after this many items (0: never). */
  readonly breakItems: number;
  /** Video plays with sound (muted by default). */
  readonly audio: boolean;
}

export interface DailyLimit {
  /** Review entries one person may open per UTC day; null: no limit. */
  readonly dailyLimit: number | null;
  readonly updatedBy: number | null;
  readonly updatedAt: number | null;
}

export interface WellnessStore {
  /** The person's stored preferences, undefined when they never saved any. */
  getPreferences(personId: number): Promise<ReviewPreferences | undefined>;
  setPreferences(personId: number, p: ReviewPreferences, now: number): Promise<void>;
  /** The organisation's daily limit (no row: no limit). */
  getDailyLimit(orgId: number): Promise<DailyLimit>;
  setDailyLimit(orgId: number, limit: number | null, by: number, now: number): Promise<void>;
  /** Records that the person opened the entry on `day` (UTC midnight, ms); once per entry and day. */
  recordExposure(personId: number, reviewId: number, day: number, at: number): Promise<void>;
  /** Distinct entries the person opened on `day`, and whether `reviewId` is among them. */
  exposures(personId: number, day: number, reviewId?: number): Promise<{ count: number; includes: boolean }>;
  /** Deletes the exposures of days before `beforeDay`; how many. */
  pruneExposures(beforeDay: number): Promise<number>;
}
