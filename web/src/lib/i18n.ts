/**
 * The web app's languages: Arabic and English through i18next, one catalog per namespace
 * (`web/src/locales/<ns>.<lang>.json`, registered in CATALOGS below), the choice remembered in
 * localStorage, the page's `lang` and `dir` following it, and numbers and dates formatted for
 * the locale with the digits the person chose (Western or Arabic-Indic), everywhere the same.
 *
 * Keys: `nav.review` in the default namespace (common), `accounts:title` in another. Never
 * build a sentence by concatenating translated pieces: interpolate values into one entry.
 */

import i18next, { type TOptions } from "i18next";
import arCommon from "../locales/common.ar.json" with { type: "json" };
import enCommon from "../locales/common.en.json" with { type: "json" };
import arReview from "../locales/review.ar.json" with { type: "json" };
import enReview from "../locales/review.en.json" with { type: "json" };
import arDashboard from "../locales/dashboard.ar.json" with { type: "json" };
import enDashboard from "../locales/dashboard.en.json" with { type: "json" };
import arBanks from "../locales/banks.ar.json" with { type: "json" };
import enBanks from "../locales/banks.en.json" with { type: "json" };
import arLabels from "../locales/labels.ar.json" with { type: "json" };
import enLabels from "../locales/labels.en.json" with { type: "json" };
import arSignin from "../locales/signin.ar.json" with { type: "json" };
import arCounter from "../locales/counter.ar.json" with { type: "json" };
import enCounter from "../locales/counter.en.json" with { type: "json" };
import enSignin from "../locales/signin.en.json" with { type: "json" };
import arAdmin from "../locales/admin.ar.json" with { type: "json" };
import enAdmin from "../locales/admin.en.json" with { type: "json" };
import arEngineer from "../locales/engineer.ar.json" with { type: "json" };
import enEngineer from "../locales/engineer.en.json" with { type: "json" };
import arWellness from "../locales/wellness.ar.json" with { type: "json" };
import enWellness from "../locales/wellness.en.json" with { type: "json" };
import arReports from "../locales/reports.ar.json" with { type: "json" };
import enReports from "../locales/reports.en.json" with { type: "json" };
import arLinks from "../locales/links.ar.json" with { type: "json" };
import enLinks from "../locales/links.en.json" with { type: "json" };
import arIncidents from "../locales/incidents.ar.json" with { type: "json" };
import enIncidents from "../locales/incidents.en.json" with { type: "json" };
import arExchanges from "../locales/exchanges.ar.json" with { type: "json" };
import enExchanges from "../locales/exchanges.en.json" with { type: "json" };
import arAccounts from "../locales/accounts.ar.json" with { type: "json" };
import enAccounts from "../locales/accounts.en.json" with { type: "json" };

export type Locale = "en" | "ar";
export type Digits = "latn" | "arab";
export const LOCALES: readonly Locale[] = ["en", "ar"];

/** Every namespace with its two catalogs. A new screen adds one line here. */
export const CATALOGS = {
  common: { en: enCommon, ar: arCommon },
  review: { en: enReview, ar: arReview },
  dashboard: { en: enDashboard, ar: arDashboard },
  banks: { en: enBanks, ar: arBanks },
  labels: { en: enLabels, ar: arLabels },
  signin: { en: enSignin, ar: arSignin },
  admin: { en: enAdmin, ar: arAdmin },
  engineer: { en: enEngineer, ar: arEngineer },
  wellness: { en: enWellness, ar: arWellness },
  reports: { en: enReports, ar: arReports },
  counter: { en: enCounter, ar: arCounter },
  links: { en: enLinks, ar: arLinks },
  incidents: { en: enIncidents, ar: arIncidents },
  exchanges: { en: enExchanges, ar: arExchanges },
  accounts: { en: enAccounts, ar: arAccounts },
} as const;

const LOCALE_KEY = "rasd.locale";
const DIGITS_KEY = "rasd.digits";

/** A key store that may be missing (tests, private windows). */
interface KeyStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The browser globals this module touches, typed here so that it also loads outside a browser. */
const g = globalThis as {
  localStorage?: KeyStore;
  navigator?: { languages?: readonly string[] };
  document?: { documentElement: { lang: string; dir: string } };
};

function store(): KeyStore | undefined {
  try {
    return g.localStorage;
  } catch {
    return undefined;
  }
}

/** The locale remembered, else the browser's first preference, else English. */
export function preferredLocale(saved: string | null | undefined, languages: readonly string[]): Locale {
  if (saved === "en" || saved === "ar") return saved;
  for (const l of languages) {
    const base = l.toLowerCase().split("-")[0];
    if (base === "ar" || base === "en") return base;
  }
  return "en";
}

/** The digits remembered, else Western digits (hashes, ids and times read the same everywhere). */
export function preferredDigits(saved: string | null | undefined): Digits {
  return saved === "arab" ? "arab" : "latn";
}

const state: { locale: Locale; digits: Digits } = { locale: "en", digits: "latn" };
const listeners = new Set<() => void>();

const resources = Object.fromEntries(
  LOCALES.map((lng) => [lng, Object.fromEntries(Object.entries(CATALOGS).map(([ns, c]) => [ns, c[lng]]))]),
);

/** Starts i18next synchronously (the catalogs are bundled). Call once before the first render. */
export function initI18n(opts: { locale?: Locale; digits?: Digits } = {}): void {
  const s = store();
  const languages = g.navigator?.languages ?? [];
  state.locale = opts.locale ?? preferredLocale(s?.getItem(LOCALE_KEY), languages);
  state.digits = opts.digits ?? preferredDigits(s?.getItem(DIGITS_KEY));
  void i18next.init({
    initAsync: false,
    lng: state.locale,
    fallbackLng: false,
    supportedLngs: [...LOCALES],
    ns: Object.keys(CATALOGS),
    defaultNS: "common",
    resources,
    returnNull: false,
    returnEmptyString: false,
    // Preact escapes text; i18next must not escape it a second time.
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  } as Parameters<typeof i18next.init>[0]);
  applyToDocument();
}

function applyToDocument(): void {
  const root = g.document?.documentElement;
  if (!root) return;
  root.lang = state.locale;
  root.dir = state.locale === "ar" ? "rtl" : "ltr";
}

/** The translation of `key`; numbers passed as values are formatted for the locale. */
export function t(key: string, values?: Record<string, string | number>): string {
  const opts: TOptions = {};
  if (values) {
    for (const [k, v] of Object.entries(values)) opts[k] = typeof v === "number" ? formatNumber(v) : v;
    // i18next picks the plural form from `count`, which must stay a number.
    if (typeof values.count === "number") opts.count = values.count;
  }
  return i18next.t(key, opts);
}

export function locale(): Locale {
  return state.locale;
}

export function digits(): Digits {
  return state.digits;
}

export function dir(): "rtl" | "ltr" {
  return state.locale === "ar" ? "rtl" : "ltr";
}

/** The BCP 47 tag Intl formats with: the language and the chosen digits. */
export function intlTag(l: Locale = state.locale, d: Digits = state.digits): string {
  return `${l}-u-nu-${d}`;
}

export function setLocale(l: Locale): void {
  if (l === state.locale) return;
  state.locale = l;
  store()?.setItem(LOCALE_KEY, l);
  void i18next.changeLanguage(l);
  applyToDocument();
  for (const f of listeners) f();
}

export function setDigits(d: Digits): void {
  if (d === state.digits) return;
  state.digits = d;
  store()?.setItem(DIGITS_KEY, d);
  for (const f of listeners) f();
}

/** Calls `f` whenever the locale or the digits change; returns the unsubscribe function. */
export function onLocaleChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function formatNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(intlTag(), opts).format(n);
}

/** A percentage from a share in [0, 1]. */
export function formatPercent(share: number, fractionDigits = 1): string {
  return formatNumber(share, { style: "percent", maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 });
}

/** A date and time in the person's locale and digits, in UTC unless a time zone is given. */
export function formatDateTime(
  d: Date | string | number,
  opts: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "short" },
): string {
  const date = d instanceof Date ? d : new Date(d);
  return new Intl.DateTimeFormat(intlTag(), { timeZone: "UTC", ...opts }).format(date);
}

export function formatDate(d: Date | string | number): string {
  return formatDateTime(d, { dateStyle: "medium" });
}
