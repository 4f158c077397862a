/** The web app's pure pieces: API client errors, time and formatting, taxonomy, RTL, chart data, shortcuts. */

import { LABEL_STANCES, STANCE_NAMES, stanceForKey, validationNote } from "../../web/src/lib/labelling.js";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { initI18n } from "../../web/src/lib/i18n.js";
import { Api, ApiError, errorFrom, query, type Fetch } from "../../web/src/lib/api.js";
import { activitySeries, bars, percentileBars, ratioSeries, ONE_HOUR_MS } from "../../web/src/lib/charts.js";
import { dominantDir, hasArabic, textAttrs } from "../../web/src/lib/rtl.js";
import { reviewAction } from "../../web/src/lib/shortcuts.js";
import { signInWait, waitArabic, waitEnglish, waitMessages } from "../../web/src/lib/sign-in-wait.js";
import { EMPTY_DRAFT, decisionBody, validateDraft } from "../../web/src/lib/taxonomy.js";
import { RANGES, ago, formatDuration, percent, periodLabel, rangeOf } from "../../web/src/lib/time.js";

function fakeFetch(status: number, body: string, seen: { url?: string; init?: Parameters<Fetch>[1] } = {}): Fetch {
  return async (url, init) => {
    seen.url = url;
    seen.init = init;
    return { status, ok: status >= 200 && status < 300, text: async () => body };
  };
}

before(() => initI18n({ locale: "en", digits: "latn" }));

describe("web: API client", () => {
  it("sends the bearer token and JSON, and parses the answer", async () => {
    const seen: { url?: string; init?: Parameters<Fetch>[1] } = {};
    const api = new Api({ fetch: fakeFetch(200, '{"ok":true}', seen), token: () => "rasds_abc" });
    assert.deepEqual(await api.post("/v1/x", { a: 1 }), { ok: true });
    assert.equal(seen.url, "/v1/x");
    assert.equal(seen.init?.headers.authorization, "Bearer rasds_abc");
    assert.equal(seen.init?.headers["content-type"], "application/json");
    assert.equal(seen.init?.body, '{"a":1}');
    const anonymous = new Api({ fetch: fakeFetch(204, "", seen), token: () => undefined });
    assert.equal(await anonymous.delete("/v1/session"), undefined);
    assert.equal(seen.init?.headers.authorization, undefined);
  });

  it("turns error bodies into ApiError with the API's code and message; a 401 signs out", async () => {
    let signedOut = 0;
    const api = new Api({
      fetch: fakeFetch(401, '{"error":{"code":"auth.invalid","message":"the session is not valid"}}'),
      token: () => "t",
      onUnauthorized: () => signedOut++,
    });
    await assert.rejects(
      api.get("/v1/me"),
      (e: unknown) =>
        e instanceof ApiError && e.status === 401 && e.code === "auth.invalid" && /session/.test(e.message),
    );
    assert.equal(signedOut, 1);
    assert.equal(
      errorFrom(502, "<html>bad gateway</html>").message,
      "the server answered 502: <html>bad gateway</html>",
    );
    assert.equal(errorFrom(400, '{"message":"HMA style"}').message, "HMA style");
    const down = new Api({ fetch: () => Promise.reject(new Error("refused")), token: () => undefined });
    await assert.rejects(down.get("/x"), (e: unknown) => e instanceof ApiError && e.code === "network");
  });

  it("answers undefined for a 404 from an optional API, and throws other errors", async () => {
    assert.equal(
      await new Api({
        fetch: fakeFetch(404, '{"error":{"code":"not_found","message":"no route"}}'),
        token: () => "t",
      }).optional("/v1/measure/stance"),
      undefined,
    );
    await assert.rejects(
      new Api({ fetch: fakeFetch(500, "{}"), token: () => "t" }).optional("/v1/measure/stance"),
      ApiError,
    );
  });

  it("builds query strings from defined values only", () => {
    assert.equal(
      query({ q: "دولة الخلافة", type: "", limit: 5, x: undefined }),
      "?q=%D8%AF%D9%88%D9%84%D8%A9%20%D8%A7%D9%84%D8%AE%D9%84%D8%A7%D9%81%D8%A9&limit=5",
    );
    assert.equal(query({}), "");
  });
});

describe("web: time and formatting", () => {
  it("formats durations readably", () => {
    assert.equal(formatDuration(null), "—");
    assert.equal(formatDuration(850), "850 ms");
    assert.equal(formatDuration(12_345), "12 s");
    assert.equal(formatDuration(4_500), "4.5 s");
    assert.equal(formatDuration(245_000), "4 min 5 s");
    assert.equal(formatDuration(2 * 3600_000 + 180_000), "2 h 3 min");
    assert.equal(formatDuration(76 * 3600_000), "3 d 4 h");
  });
  it("labels periods in UTC and gives ranges that end now", () => {
    assert.equal(periodLabel("2026-03-03T14:00:00.000Z", "hour"), "14:00");
    assert.equal(periodLabel("2026-03-03T00:00:00.000Z", "day"), "Mar 3");
    const now = Date.parse("2026-03-10T00:00:00Z");
    assert.deepEqual(
      rangeOf(
        RANGES.find((r) => r.id === "7d")!,
        now,
      ),
      { from: "2026-03-03T00:00:00.000Z", to: "2026-03-10T00:00:00.000Z" },
    );
    assert.equal(ago("2026-03-09T22:00:00Z", now), "2 hr. ago");
    assert.equal(percent(0.756), "76%");
    assert.equal(percent(null), "—");
  });
});

describe("web: decision taxonomy", () => {
  it("needs a decision and reasons; violating needs a label and a bank when adding", () => {
    const fields = (d: Partial<typeof EMPTY_DRAFT>) => validateDraft({ ...EMPTY_DRAFT, ...d }).map((p) => p.field);
    assert.deepEqual(fields({}), ["decision", "reasons"]);
    assert.deepEqual(fields({ decision: "violating", reasons: "x" }), ["labels"]);
    assert.deepEqual(fields({ decision: "violating", reasons: "x", entity: ["ISIS!"] }), ["labels"]);
    assert.deepEqual(fields({ decision: "violating", reasons: "x", behaviour: ["recruitment"], addToBank: true }), [
      "bank",
    ]);
    assert.deepEqual(fields({ decision: "not_violating", reasons: "news report" }), []);
  });
  it("sends labels and the bank only with a violating decision", () => {
    assert.deepEqual(
      decisionBody({
        ...EMPTY_DRAFT,
        decision: "violating",
        entity: ["isis"],
        reasons: " r ",
        addToBank: true,
        bankId: 4,
      }),
      {
        decision: "violating",
        reasons: "r",
        labels: { entity: ["isis"], behaviour: [] },
        addToBank: { bankId: 4 },
      },
    );
    assert.deepEqual(
      decisionBody({
        ...EMPTY_DRAFT,
        decision: "escalate",
        entity: ["isis"],
        reasons: "r",
        addToBank: true,
        bankId: 4,
      }),
      {
        decision: "escalate",
        reasons: "r",
      },
    );
  });
});

describe("web: right-to-left text", () => {
  it("detects Arabic and lays mostly-Arabic text out right to left, marked lang=ar", () => {
    assert.equal(hasArabic("انضموا"), true);
    assert.equal(hasArabic("join"), false);
    assert.deepEqual(textAttrs("hello"), { dir: "auto" });
    assert.deepEqual(textAttrs("انضموا إلى صفوف الدولة"), { dir: "rtl", lang: "ar" });
    // A retweet prefix does not turn an Arabic post left to right (dir=auto would).
    assert.deepEqual(textAttrs("RT @x: انضموا إلى صفوف دولة الخلافة الآن"), { dir: "rtl", lang: "ar" });
    // Mostly English with one Arabic word stays left to right.
    assert.deepEqual(textAttrs("The word دولة means state in English"), { dir: "ltr" });
    assert.equal(dominantDir("עברית"), "rtl");
  });
});

describe("web: chart data", () => {
  it("shapes activity periods into uPlot columns (x in seconds)", () => {
    const s = activitySeries([
      { start: "2026-03-03T00:00:00Z", end: "2026-03-04T00:00:00Z", received: 5, matched: 2, actions: 3 },
      { start: "2026-03-04T00:00:00Z", end: "2026-03-05T00:00:00Z", received: 1, matched: 0, actions: 0 },
    ]);
    assert.deepEqual(s, [
      [Date.parse("2026-03-03T00:00:00Z") / 1000, Date.parse("2026-03-04T00:00:00Z") / 1000],
      [5, 1],
      [2, 0],
      [3, 0],
    ]);
  });
  it("shapes the ratio with its band, with gaps where a period has none", () => {
    const r = ratioSeries([
      { start: "2026-03-03T00:00:00Z", end: "", items: 10, ratio: { estimate: 6, low: 4, high: 9, kind: "two-sided" } },
      { start: "2026-03-04T00:00:00Z", end: "", items: 0, ratio: null },
    ]);
    assert.equal(r.any, true);
    assert.deepEqual(r.data.slice(1), [
      [6, null],
      [4, null],
      [9, null],
    ]);
    assert.equal(ratioSeries([{ start: "2026-03-04T00:00:00Z", end: "", items: 0, ratio: null }]).any, false);
  });
  it("scales bars to the largest and keeps the top ones", () => {
    const b = bars(
      [
        { label: "a", value: 5 },
        { label: "b", value: 10 },
        { label: "c", value: 1 },
      ],
      2,
    );
    assert.deepEqual(b, [
      { label: "b", value: 10, share: 1 },
      { label: "a", value: 5, share: 0.5 },
    ]);
    assert.deepEqual(bars([{ label: "z", value: 0 }]), [{ label: "z", value: 0, share: 0 }]);
  });
  it("puts percentiles and the one-hour line on one logarithmic axis", () => {
    const fast = percentileBars({ p50: 1000, p90: 60_000, p99: null });
    assert.ok(fast.hourShare > 0.9 && fast.hourShare < 1, "the axis reaches past the hour line");
    // Milliseconds stay visible beside the hour: 1 s is a fifth of the way, 1 min over half.
    assert.ok(fast.bars[0]!.share > 0.15 && fast.bars[0]!.share < 0.3, String(fast.bars[0]!.share));
    assert.ok(fast.bars[1]!.share > 0.5 && fast.bars[1]!.share < fast.hourShare);
    assert.equal(percentileBars({ p50: 20, p90: null, p99: null }).bars[0]!.share, 0);
    assert.deepEqual(
      fast.bars.map((b) => b.withinHour),
      [true, true, false],
    );
    const slow = percentileBars({ p50: 1000, p90: ONE_HOUR_MS, p99: 4 * ONE_HOUR_MS });
    assert.ok(slow.bars[2]!.share <= 1 && slow.bars[2]!.share > 0.9);
    assert.equal(slow.bars[2]!.withinHour, false);
    assert.ok(slow.hourShare < slow.bars[2]!.share && slow.hourShare > slow.bars[0]!.share);
  });
});

describe("web: review shortcuts", () => {
  it("maps keys to actions, but not while typing or with a modifier", () => {
    assert.equal(reviewAction({ key: "j" }), "next");
    assert.equal(reviewAction({ key: "R", targetTag: "BUTTON" }), "reveal");
    assert.equal(reviewAction({ key: "v", targetTag: "textarea" }), undefined);
    assert.equal(reviewAction({ key: "v", targetEditable: true }), undefined);
    assert.equal(reviewAction({ key: "r", ctrlKey: true }), undefined);
    assert.equal(reviewAction({ key: "x" }), undefined);
  });
});

describe("web: sign-in back-off message", () => {
  it("reads the wait from a 429 and says it in English and Arabic", () => {
    const locked = signInWait(
      new ApiError(429, "auth.locked", "too many failed sign-ins for this account; try again in 8 s"),
    );
    assert.deepEqual(locked, { seconds: 8, scope: "account" });
    const text = waitMessages(locked!);
    assert.equal(text.en, "Too many failed sign-ins for this account. Try again in 8 seconds.");
    assert.equal(text.ar, "محاولات دخول فاشلة كثيرة لهذا الحساب. حاول مرة أخرى بعد 8 ثوانٍ.");
    const address = signInWait(
      new ApiError(429, "rate_limited", "too many failed sign-ins from this address; try again in 120 s"),
    );
    assert.deepEqual(address, { seconds: 120, scope: "address" });
    assert.match(waitMessages(address!).en, /from this address\. Try again in 2 minutes\./);
    assert.match(waitMessages(address!).ar, /من هذا العنوان.*دقيقتين/);
    assert.equal(signInWait(new ApiError(401, "auth.invalid", "sign-in failed")), undefined);
    assert.equal(signInWait(new Error("x")), undefined);
  });

  it("agrees the number in Arabic: one, two, three to ten, eleven on", () => {
    assert.deepEqual([1, 2, 3, 10, 11, 60].map(waitArabic), [
      "ثانية واحدة",
      "ثانيتين",
      "3 ثوانٍ",
      "10 ثوانٍ",
      "11 ثانية",
      "60 ثانية",
    ]);
    assert.deepEqual([91, 120, 600, 900].map(waitArabic), ["دقيقتين", "دقيقتين", "10 دقائق", "15 دقيقة"]);
    assert.deepEqual([1, 45, 900].map(waitEnglish), ["1 second", "45 seconds", "15 minutes"]);
  });
});

describe("labelling vocabulary and validation notes", () => {
  it("keys 1–4 pick the stances; every stance has English and Arabic names", () => {
    assert.equal(stanceForKey("1"), "pro");
    assert.equal(stanceForKey("4"), "cant_tell");
    assert.equal(stanceForKey("5"), undefined);
    for (const s of LABEL_STANCES) assert.match(STANCE_NAMES[s].key, /^[1-4]$/);
  });
  it("says when a figure is model-only and unvalidated, and nothing when every stratum has labels", () => {
    assert.equal(validationNote({ validated: true, items: 10, modelOnlyItems: 0, labelled: 5 }), null);
    assert.match(validationNote({ validated: false, items: 10, modelOnlyItems: 10, labelled: 0 })!, /model only/);
    assert.match(validationNote({ validated: false, items: 10, modelOnlyItems: 3, labelled: 4 })!, /3 of 10 items/);
  });
});
