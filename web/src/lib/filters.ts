/**
 * The analyst's filters (dashboard): period, platform, language, country, bank and scope, as
 * the measure APIs' query parameters. Pure, so it is tested without a browser.
 */

export interface MeasureFilters {
  /** The platform (a member's service), "" for all. */
  platform: string;
  /** ar, en, und, or "" for all. */
  lang: string;
  /** ISO 3166-1 alpha-2, "" for all. */
  country: string;
  /** A bank id, "" for all. */
  bank: string;
  /** org: the caller's organisation's items; coalition: every member's, in aggregate. */
  scope: "org" | "coalition";
}

export const NO_FILTERS: MeasureFilters = { platform: "", lang: "", country: "", bank: "", scope: "org" };

/** A country filter as typed: two letters, upper case, or undefined when it is not one. */
export function countryCode(typed: string): string | undefined {
  const c = typed.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(c) ? c : undefined;
}

/**
 * The query parameters of one measure route: `bank` only where the route filters by bank
 * (takedown), `scope` as asked (stance too: "org" there means the organisation's items).
 */
export function measureParams(
  f: MeasureFilters,
  route: "stance" | "takedown" | "reuploads",
  range: { from: string; to: string },
): Record<string, string | undefined> {
  const country = countryCode(f.country);
  return {
    from: range.from,
    to: range.to,
    platform: f.platform.trim() || undefined,
    lang: f.lang || undefined,
    country,
    scope: f.scope,
    bank: route === "takedown" && f.bank ? f.bank : undefined,
  };
}

/** Whether any filter narrows the figures (beyond the period and scope). */
export function narrowed(f: MeasureFilters): boolean {
  return f.platform.trim() !== "" || f.lang !== "" || countryCode(f.country) !== undefined || f.bank !== "";
}
