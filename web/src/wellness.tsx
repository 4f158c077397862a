/**
 * Wellness on the review screen (decision 0028): exposure counters (items opened today and
 * this session, time reviewing), a break prompt after the person's time or number of items,
 * their blur strength, greyscale and audio preferences (saved on the server), and the
 * organisation's daily limit.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { formatDateTime, formatNumber, t } from "./lib/i18n.js";
import { formatDuration } from "./lib/time.js";
import {
  breakDue,
  loadSession,
  opened,
  saveSession,
  ticked,
  tookBreak,
  type Exposure,
  type ReviewSession,
  type WellnessPreferences,
} from "./lib/wellness.js";
import { ErrorBox, useLoad } from "./ui.js";

/** Until the server answers: the same safe defaults the server keeps (services/wellness.ts). */
export const SAFE_DEFAULTS: WellnessPreferences = {
  blur: 24,
  greyscale: true,
  break_minutes: 30,
  break_items: 40,
  audio: false,
};

const TICK_MS = 15_000;

export interface Wellness {
  prefs: WellnessPreferences;
  exposure?: Exposure;
  session: ReviewSession;
  due?: "time" | "items";
  /** An entry was opened (claimed): counted this session, and today's count refreshed. */
  onOpened: (id: number) => void;
  takeBreak: () => void;
  save: (p: WellnessPreferences) => Promise<void>;
  error?: unknown;
}

export function useWellness(api: Api): Wellness {
  const loaded = useLoad(
    () => api.get<{ preferences: WellnessPreferences; exposure: Exposure }>("/v1/reviews/wellness"),
    [],
  );
  const [prefs, setPrefs] = useState<WellnessPreferences | undefined>();
  const [session, setSession] = useState<ReviewSession>(loadSession);
  const last = useRef(Date.now());
  const update = (f: (s: ReviewSession) => ReviewSession) =>
    setSession((s) => {
      const next = f(s);
      saveSession(next);
      return next;
    });
  // Time on the review screen, while the tab is visible.
  useEffect(() => {
    last.current = Date.now();
    const tick = () => {
      const now = Date.now();
      const visible =
        (globalThis as { document?: { visibilityState?: string } }).document?.visibilityState !== "hidden";
      if (visible) update((s) => ticked(s, now - last.current));
      last.current = now;
    };
    const timer = setInterval(tick, TICK_MS);
    return () => {
      tick();
      clearInterval(timer);
    };
  }, []);
  const p = prefs ?? loaded.data?.preferences ?? SAFE_DEFAULTS;
  return {
    prefs: p,
    ...(loaded.data ? { exposure: loaded.data.exposure } : {}),
    session,
    ...(breakDue(session, p) ? { due: breakDue(session, p)! } : {}),
    onOpened: (id) => {
      update((s) => opened(s, id));
      loaded.reload();
    },
    takeBreak: () => update(tookBreak),
    save: async (next) => {
      const saved = await api.request<WellnessPreferences>("PUT", "/v1/reviews/preferences", {
        blur: next.blur,
        greyscale: next.greyscale,
        break_minutes: next.break_minutes,
        break_items: next.break_items,
        audio: next.audio,
      });
      setPrefs(saved);
    },
    ...(loaded.error ? { error: loaded.error } : {}),
  };
}

/** The counters, and the preferences behind a disclosure. */
export function WellnessBar(props: { w: Wellness }) {
  const { w } = props;
  const e = w.exposure;
  return (
    <section class="wellness" aria-labelledby="wellness-h">
      <h2 id="wellness-h" class="sr-only">
        {t("wellness:title")}
      </h2>
      <dl class="counters">
        <div>
          <dt>{t("wellness:today")}</dt>
          <dd data-testid="seen-today">
            {e === undefined
              ? "—"
              : e.daily_limit === null
                ? formatNumber(e.seen_today)
                : t("wellness:ofLimit", { seen: e.seen_today, limit: e.daily_limit })}
          </dd>
        </div>
        <div>
          <dt>{t("wellness:session")}</dt>
          <dd data-testid="seen-session">{formatNumber(w.session.seen.length)}</dd>
        </div>
        <div>
          <dt>{t("wellness:time")}</dt>
          <dd data-testid="time-reviewing">{formatDuration(w.session.activeMs)}</dd>
        </div>
      </dl>
      {e && e.remaining === 0 && (
        <p class="notice" role="status" data-testid="limit-reached">
          {t("wellness:limitReached", {
            limit: e.daily_limit ?? 0,
            time: formatDateTime(e.resets_at, { timeStyle: "short" }),
          })}
        </p>
      )}
      <ErrorBox error={w.error} />
      <Preferences w={w} />
    </section>
  );
}

function Preferences(props: { w: Wellness }) {
  const [draft, setDraft] = useState<WellnessPreferences | undefined>();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>();
  const p = draft ?? props.w.prefs;
  const change = (c: Partial<WellnessPreferences>) => {
    setSaved(false);
    setDraft({ ...p, ...c });
  };
  const num = (v: string, max: number) => Math.max(0, Math.min(max, Math.round(Number(v) || 0)));
  return (
    <details class="wellness-prefs">
      <summary>{t("wellness:prefs")}</summary>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          setError(undefined);
          props.w.save(p).then(
            () => {
              setSaved(true);
              setDraft(undefined);
            },
            (e: unknown) => setError(e),
          );
        }}
      >
        <label>
          {t("wellness:blur", { px: p.blur })}
          <input
            type="range"
            min={0}
            max={64}
            step={2}
            value={p.blur}
            onInput={(e) => change({ blur: num(e.currentTarget.value, 64) })}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={p.greyscale}
            onChange={(e) => change({ greyscale: e.currentTarget.checked })}
          />
          {t("wellness:greyscale")}
        </label>
        <label>
          {t("wellness:breakMinutes")}
          <input
            type="number"
            min={0}
            max={480}
            value={p.break_minutes}
            onInput={(e) => change({ break_minutes: num(e.currentTarget.value, 480) })}
          />
        </label>
        <label>
          {t("wellness:breakItems")}
          <input
            type="number"
            min={0}
            max={1000}
            value={p.break_items}
            onInput={(e) => change({ break_items: num(e.currentTarget.value, 1000) })}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={p.audio} onChange={(e) => change({ audio: e.currentTarget.checked })} />
          {t("wellness:audio")}
        </label>
        <p class="muted small">{t("wellness:prefsNote")}</p>
        <button type="submit">{t("wellness:save")}</button>
        {saved && (
          <span class="success" role="status">
            {t("wellness:saved")}
          </span>
        )}
        <ErrorBox error={error} />
      </form>
    </details>
  );
}

/** The break prompt: media stays hidden until the person chooses. */
export function BreakPrompt(props: { w: Wellness }) {
  const { w } = props;
  const box = useRef<HTMLDivElement>(null);
  const [resting, setResting] = useState(false);
  useEffect(() => {
    box.current?.focus();
  }, [w.due, resting]);
  if (!w.due) return null;
  if (resting)
    return (
      <div class="break-prompt" role="alertdialog" aria-labelledby="break-h" tabIndex={-1} ref={box}>
        <h2 id="break-h">{t("wellness:resting")}</h2>
        <p>{t("wellness:restingText")}</p>
        <button
          type="button"
          class="primary"
          onClick={() => {
            setResting(false);
            w.takeBreak();
          }}
        >
          {t("wellness:back")}
        </button>
      </div>
    );
  return (
    <div
      class="break-prompt"
      role="alertdialog"
      aria-labelledby="break-h"
      aria-describedby="break-d"
      tabIndex={-1}
      ref={box}
      data-testid="break-prompt"
    >
      <h2 id="break-h">{t("wellness:breakTitle")}</h2>
      <p id="break-d">
        {w.due === "items"
          ? t("wellness:breakItemsText", { count: w.session.seen.length - w.session.breakAt.items })
          : t("wellness:breakTimeText", { time: formatDuration(w.session.activeMs - w.session.breakAt.activeMs) })}
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => setResting(true)}>
          {t("wellness:takeBreak")}
        </button>
        <button type="button" onClick={w.takeBreak}>
          {t("wellness:carryOn")}
        </button>
      </div>
    </div>
  );
}
