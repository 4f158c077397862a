/** The web app's pure pieces for issue 18's analyst and wellness parts: filters, chart axes, wellness. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prevalenceSeries, timeTickLabels, valueTickLabels } from "../../web/src/lib/charts.js";
import { NO_FILTERS, countryCode, measureParams, narrowed } from "../../web/src/lib/filters.js";
import { formatDateTime, formatNumber, initI18n, setDigits, setLocale } from "../../web/src/lib/i18n.js";
import {
  MAX_TICK_MS,
  NEW_SESSION,
  breakDue,
  concealFilter,
  opened,
  ticked,
  tookBreak,
} from "../../web/src/lib/wellness.js";

const range = { from: "2026-12-01T00:00:00.000Z", to: "2026-12-08T00:00:00.000Z" };

describe("web: analyst filters", () => {
  it("sends only the filters set; the bank only to takedown; the scope always", () => {
    assert.deepEqual(measureParams(NO_FILTERS, "stance", range), {
      ...range,
      platform: undefined,
      lang: undefined,
      country: undefined,
      scope: "org",
      bank: undefined,
    });
    const f = { platform: " Posts ", lang: "ar", country: "iq", bank: "3", scope: "coalition" as const };
    assert.deepEqual(measureParams(f, "takedown", range), {
      ...range,
      platform: "Posts",
      lang: "ar",
      country: "IQ",
      scope: "coalition",
      bank: "3",
    });
    assert.equal(measureParams(f, "reuploads", range).bank, undefined);
    assert.equal(measureParams(f, "stance", range).bank, undefined);
  });

  it("takes a country only when it is two letters", () => {
    assert.equal(countryCode(" sy "), "SY");
    assert.equal(countryCode("S"), undefined);
    assert.equal(countryCode("SYR"), undefined);
    assert.equal(countryCode("1Q"), undefined);
    assert.equal(narrowed({ ...NO_FILTERS, country: "S" }), false);
    assert.equal(narrowed({ ...NO_FILTERS, country: "SY" }), true);
    assert.equal(narrowed({ ...NO_FILTERS, scope: "coalition" }), false);
  });
});

describe("web: chart axes in the locale", () => {
  it("labels time ticks as hours or days, values as numbers, in the chosen digits", () => {
    initI18n({ locale: "en", digits: "latn" });
    const day = Date.UTC(2026, 11, 7) / 1000;
    const date = (ms: number, o: Intl.DateTimeFormatOptions) => formatDateTime(ms, o);
    assert.deepEqual(timeTickLabels([day, day + 86_400], date), ["Dec 7", "Dec 8"]);
    assert.deepEqual(timeTickLabels([day + 3600, day + 7200], date), ["01:00", "02:00"]);
    assert.deepEqual(
      valueTickLabels([1000, 2500], (n) => formatNumber(n)),
      ["1,000", "2,500"],
    );
    setLocale("ar");
    setDigits("arab");
    const ar = timeTickLabels([day, day + 86_400], date);
    for (const l of ar) {
      assert.match(l, /[٠-٩]/, l);
      assert.doesNotMatch(l, /[0-9]/, l);
    }
    assert.deepEqual(
      valueTickLabels([12], (n) => formatNumber(n)),
      ["١٢"],
    );
    setDigits("latn");
    assert.match(timeTickLabels([day], date)[0]!, /7/);
    setLocale("en");
  });

  it("draws the pro and anti shares with their bands, gaps where a period has none", () => {
    const est = (e: number) => ({ estimate: e, low: e - 0.01, high: e + 0.02 });
    const s = prevalenceSeries([
      { start: "2026-12-01T00:00:00Z", pro: est(0.1), anti: est(0.3) },
      { start: "2026-12-02T00:00:00Z", pro: null, anti: null },
    ]);
    assert.equal(s.any, true);
    assert.deepEqual(s.data[1], [0.1, null]);
    assert.deepEqual(s.data[3], [0.1 + 0.02, null]);
    assert.deepEqual(s.data[5], [0.3 - 0.01, null]);
    assert.equal(prevalenceSeries([{ start: "2026-12-02T00:00:00Z", pro: null, anti: null }]).any, false);
  });
});

describe("web: review wellness", () => {
  it("counts each item once, time capped per tick; a break is due after the items or the minutes", () => {
    let s = opened(opened(opened(NEW_SESSION, 1), 2), 1);
    assert.deepEqual(s.seen, [1, 2]);
    s = ticked(s, 30_000);
    s = ticked(s, 10 * 3600_000); // a tab asleep for hours counts one tick at most
    assert.equal(s.activeMs, 30_000 + MAX_TICK_MS);
    assert.equal(ticked(s, -5).activeMs, s.activeMs);
    const prefs = { break_minutes: 30, break_items: 3 };
    assert.equal(breakDue(s, prefs), undefined);
    s = opened(s, 3);
    assert.equal(breakDue(s, prefs), "items");
    s = tookBreak(s);
    assert.equal(breakDue(s, prefs), undefined);
    for (let i = 0; i < 30; i++) s = ticked(s, 60_000);
    assert.equal(breakDue(s, prefs), "time");
    assert.equal(breakDue(s, { break_minutes: 0, break_items: 0 }), undefined, "0 means never");
  });

  it("conceals media with the person's blur and greyscale", () => {
    assert.equal(concealFilter({ blur: 24, greyscale: true }), "blur(24px) grayscale(1)");
    assert.equal(concealFilter({ blur: 0, greyscale: true }), "grayscale(1)");
    assert.equal(concealFilter({ blur: 8, greyscale: false }), "blur(8px)");
    assert.equal(concealFilter({ blur: 0, greyscale: false }), "none");
  });
});
