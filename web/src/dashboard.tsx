/**
 * The dashboard: activity over time, time-to-action percentiles against the one-hour line,
 * matches by bank and label, and — once the measurement API exists — the anti:pro ratio with
 * its confidence band and the takedown figures.
 */

import { useState } from "preact/hooks";
import { query, type Api } from "./lib/api.js";
import { activitySeries, prevalenceSeries, ratioSeries } from "./lib/charts.js";
import { validationNote } from "./lib/labelling.js";
import { formatNumber, t } from "./lib/i18n.js";
import { RANGES, formatDuration, percent, rangeLabel, rangeOf } from "./lib/time.js";
import type {
  Activity,
  Bank,
  Me,
  ReuploadReport,
  StanceMeasurement,
  TakedownReport,
  TimeToAction,
} from "./lib/types.js";
import { NO_FILTERS, countryCode, measureParams, narrowed, type MeasureFilters } from "./lib/filters.js";
import { ActivityChart, BarList, PercentileChart, PrevalenceChart, RatioChart } from "./charts.js";
import { ErrorBox, Panel, useLoad } from "./ui.js";
import { AccountFigures } from "./dashboard-accounts.js";

export function Dashboard(props: { api: Api; me: Me }) {
  const [rangeId, setRangeId] = useState("7d");
  const preset = RANGES.find((r) => r.id === rangeId) ?? RANGES[1]!;
  const [now] = useState(() => Date.now());
  const { from, to } = rangeOf(preset, now);
  const [filters, setFilters] = useState<MeasureFilters>(NO_FILTERS);
  const f = filters;
  const key = [rangeId, f.platform, f.lang, countryCode(f.country) ?? "", f.bank, f.scope];
  const banks = useLoad(() => props.api.get<{ banks: Bank[] }>("/v1/banks"), []);
  const activity = useLoad(
    () => props.api.get<Activity>(`/v1/stats/activity${query({ from, to, interval: preset.interval })}`),
    [rangeId],
  );
  const tta = useLoad(
    () => props.api.get<TimeToAction>(`/v1/stats/time-to-action${query({ since: from })}`),
    [rangeId],
  );
  const stance = useLoad(
    () =>
      props.api.optional<StanceMeasurement>(
        `/v1/measure/stance${query({ ...measureParams(f, "stance", { from, to }), interval: preset.measureInterval })}`,
      ),
    key,
  );
  const takedown = useLoad(
    () =>
      props.api.optional<TakedownReport>(`/v1/measure/takedown${query(measureParams(f, "takedown", { from, to }))}`),
    key,
  );
  const reuploads = useLoad(
    () =>
      props.api.optional<ReuploadReport>(`/v1/measure/reuploads${query(measureParams(f, "reuploads", { from, to }))}`),
    key,
  );
  const scopeName = t(f.scope === "coalition" ? "dashboard:scope.coalitionName" : "dashboard:scope.orgName", {
    org: props.me.org.name,
  });

  return (
    <main id="main" class="dashboard">
      <div class="page-head">
        <h1>{t("dashboard:title")}</h1>
      </div>
      <form class="filters" aria-label={t("dashboard:filters.aria")} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("dashboard:range")}
          <select value={rangeId} onChange={(e) => setRangeId(e.currentTarget.value)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {rangeLabel(r)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("dashboard:filters.scope")}
          <select
            value={f.scope}
            onChange={(e) => setFilters({ ...f, scope: e.currentTarget.value === "coalition" ? "coalition" : "org" })}
          >
            <option value="org">{t("dashboard:scope.org")}</option>
            <option value="coalition">{t("dashboard:scope.coalition")}</option>
          </select>
        </label>
        <label>
          {t("dashboard:filters.platform")}
          <input
            type="text"
            value={f.platform}
            maxLength={100}
            onChange={(e) => setFilters({ ...f, platform: e.currentTarget.value })}
          />
        </label>
        <label>
          {t("dashboard:filters.lang")}
          <select value={f.lang} onChange={(e) => setFilters({ ...f, lang: e.currentTarget.value })}>
            <option value="">{t("dashboard:filters.all")}</option>
            <option value="ar">{t("dashboard:filters.ar")}</option>
            <option value="en">{t("dashboard:filters.en")}</option>
            <option value="und">{t("dashboard:filters.und")}</option>
          </select>
        </label>
        <label>
          {t("dashboard:filters.country")}
          <input
            type="text"
            value={f.country}
            maxLength={2}
            size={3}
            aria-invalid={f.country.trim() !== "" && countryCode(f.country) === undefined ? "true" : undefined}
            aria-describedby="country-hint"
            onInput={(e) => setFilters({ ...f, country: e.currentTarget.value })}
          />
          <span id="country-hint" class="muted small">
            {t("dashboard:filters.countryHint")}
          </span>
        </label>
        <label>
          {t("dashboard:filters.bank")}
          <select value={f.bank} onChange={(e) => setFilters({ ...f, bank: e.currentTarget.value })}>
            <option value="">{t("dashboard:filters.allBanks")}</option>
            {(banks.data?.banks ?? [])
              .filter((b) => !b.negative)
              .map((b) => (
                <option key={b.id} value={String(b.id)}>
                  {b.name}
                </option>
              ))}
          </select>
        </label>
        {(narrowed(f) || f.scope !== "org") && (
          <button type="button" onClick={() => setFilters(NO_FILTERS)}>
            {t("dashboard:filters.clear")}
          </button>
        )}
      </form>
      <p class="muted small" data-testid="filters-apply">
        {t("dashboard:filters.applies")}
      </p>
      <p class="muted">
        {t(props.me.permissions.includes("signal.write") ? "dashboard:introCurator" : "dashboard:intro", {
          org: props.me.org.name,
        })}
      </p>
      <ErrorBox error={activity.error} />
      {activity.data && (
        <dl class="totals">
          <div>
            <dt>{t("dashboard:totals.received")}</dt>
            <dd>{formatNumber(activity.data.totals.received)}</dd>
          </div>
          <div>
            <dt>{t("dashboard:totals.matched")}</dt>
            <dd>{formatNumber(activity.data.totals.matched)}</dd>
          </div>
          <div>
            <dt>{t("dashboard:totals.actions")}</dt>
            <dd>{formatNumber(activity.data.totals.actions)}</dd>
          </div>
        </dl>
      )}
      {activity.data && <p class="muted small">{t("dashboard:matchedNote")}</p>}
      <div class="grid">
        <Panel title={t("dashboard:activity")} id="activity" class="wide">
          {activity.data ? (
            <ActivityChart data={activitySeries(activity.data.periods)} interval={activity.data.interval} />
          ) : (
            <p class="muted">{activity.loading ? t("loading") : ""}</p>
          )}
        </Panel>
        <Panel title={t("dashboard:tta")} id="tta">
          <ErrorBox error={tta.error} />
          {tta.data &&
            (tta.data.acted_ms.count === 0 ? (
              <p class="muted">{t("dashboard:ttaNone")}</p>
            ) : (
              <PercentileChart p={tta.data.acted_ms} count={tta.data.acted_ms.count} />
            ))}
        </Panel>
        <Panel title={t("dashboard:byBank")} id="by-bank">
          {activity.data && (
            <BarList
              items={activity.data.by_bank.map((b) => ({ label: b.bank_name, value: b.matches }))}
              format={(v) => t("dashboard:unitItems", { value: v })}
              empty={t("dashboard:byBankEmpty")}
            />
          )}
        </Panel>
        <Panel title={t("dashboard:byLabel")} id="by-label">
          {activity.data && (
            <BarList
              items={activity.data.by_label.map((l) => ({
                label: t("dashboard:labelKind", {
                  label: l.label,
                  kind: ["entity", "behaviour", "language"].includes(l.kind) ? t(`labels.${l.kind}`) : l.kind,
                }),
                value: l.matches,
              }))}
              format={(v) => t("dashboard:unitItems", { value: v })}
              empty={t("dashboard:byLabelEmpty")}
            />
          )}
        </Panel>
        <Panel title={t("dashboard:prevalence", { scope: scopeName })} id="prevalence" class="wide">
          {stance.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !stance.data ? (
            <p class="muted notice">{t("dashboard:stanceUnavailable")}</p>
          ) : prevalenceSeries(stance.data.periods).any ? (
            <>
              <PrevalenceChart data={prevalenceSeries(stance.data.periods).data} />
              <p class="muted">{t("dashboard:prevalenceExplain")}</p>
            </>
          ) : (
            <p class="muted notice" data-testid="prevalence-none">
              {t("dashboard:cannotEstimate.stance", { items: stance.data.overall.items })}
            </p>
          )}
        </Panel>
        <Panel title={t("dashboard:ratioScoped", { scope: scopeName })} id="ratio" class="wide">
          <ErrorBox error={stance.error} />
          {stance.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !stance.data ? (
            <p class="muted notice" data-testid="measurement-unavailable">
              {t("dashboard:stanceUnavailable")}
            </p>
          ) : ratioSeries(stance.data.periods).any ? (
            <>
              <RatioChart data={ratioSeries(stance.data.periods).data} />
              <p class="muted" data-testid="ratio-explain">
                {t("dashboard:ratioExplain", {
                  labelled: stance.data.overall.labelled,
                  items: stance.data.overall.items,
                })}{" "}
                <span data-testid="stance-scope">
                  {t(f.scope === "coalition" ? "dashboard:stanceScopeCoalition" : "dashboard:stanceScopeOrg", {
                    org: props.me.org.name,
                  })}
                </span>
              </p>
              {validationNote(stance.data.overall) && (
                <p class="notice" data-testid="model-only">
                  {validationNote(stance.data.overall)}
                </p>
              )}
            </>
          ) : (
            <p class="muted notice" data-testid="ratio-none">
              {t("dashboard:cannotEstimate.stance", { items: stance.data.overall.items })}
            </p>
          )}
        </Panel>
        <Panel title={t("dashboard:takedownScoped", { scope: scopeName })} id="takedown" class="wide">
          <ErrorBox error={takedown.error} />
          {takedown.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !takedown.data ? (
            <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
          ) : (
            <TakedownView t={takedown.data} />
          )}
        </Panel>
        <Panel title={t("dashboard:reuploadsScoped", { scope: scopeName })} id="reuploads" class="wide">
          <ErrorBox error={reuploads.error} />
          {reuploads.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !reuploads.data ? (
            <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
          ) : (
            <ReuploadView r={reuploads.data} />
          )}
        </Panel>
        <AccountFigures
          api={props.api}
          from={from}
          to={to}
          interval={preset.measureInterval}
          scope={f.scope}
          scopeName={scopeName}
        />
      </div>
      <Definitions />
    </main>
  );
}

/** One definition per figure, the same on every screen that shows it (reports:def.*). */
export const FIGURES = [
  "received",
  "matched",
  "actions",
  "matchedTakedown",
  "removed",
  "withinHour",
  "timeToAction",
  "timeToRemoval",
  "orders",
  "prevalence",
  "ratio",
  "reuploads",
  "precision",
] as const;

export function Definitions() {
  return (
    <details class="definitions" id="definitions">
      <summary>{t("reports:def.title")}</summary>
      <dl>
        {FIGURES.map((k) => (
          <div key={k}>
            <dt>{t(`reports:def.${k}.name`)}</dt>
            <dd>{t(`reports:def.${k}.text`)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function TakedownView(props: { t: TakedownReport }) {
  const o = props.t.overall;
  return (
    <div class="takedown">
      <dl class="totals">
        <div>
          <dt>{t("dashboard:td.matched")}</dt>
          <dd>{formatNumber(o.matched)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.removed")}</dt>
          <dd>{percent(o.shareRemoved)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.withinHour")}</dt>
          <dd>{percent(o.withinHourShare)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.median")}</dt>
          <dd>{formatDuration(o.timeToAction.p50)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.medianRemoval")}</dt>
          <dd data-testid="median-removal">{formatDuration(o.timeToRemoval.p50)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.orders")}</dt>
          <dd data-testid="orders">{formatNumber(o.ordersReceived)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:td.ordersWithinHour")}</dt>
          <dd>{percent(o.ordersWithinHourShare)}</dd>
        </div>
      </dl>
      <CannotEstimate
        reasons={[
          [o.shareRemoved, "removed"],
          [o.withinHourShare, "withinHour"],
          [o.timeToAction.p50, "timeToAction"],
          [o.timeToRemoval.p50, "timeToRemoval"],
          [o.ordersWithinHourShare, "ordersWithinHour"],
        ]}
      />
      <h3>{t("dashboard:tta")}</h3>
      <PercentileChart p={o.timeToAction} />
      <h3>{t("dashboard:td.medianRemoval")}</h3>
      <PercentileChart p={o.timeToRemoval} />
      <h3>{t("dashboard:timeOnline")}</h3>
      <p class="muted">{t("dashboard:stillOnline", { share: percent(o.shareStillOnline) })}</p>
      <BarList
        items={o.timeOnlineBins.map((b, i) => ({
          label:
            b.upToMs === null
              ? t("dashboard:binOver", { d: formatDuration(o.timeOnlineBins[i - 1]?.upToMs ?? null) })
              : t("dashboard:binUpTo", { d: formatDuration(b.upToMs) }),
          value: b.items,
        }))}
        max={o.timeOnlineBins.length}
        format={(v) => t("dashboard:unitItems", { value: v })}
        empty={t("dashboard:noneRemoved")}
      />
      {(
        [
          ["byLanguage", props.t.byLanguage.map((x) => ({ label: x.lang, value: x.shareRemoved ?? 0 }))],
          ["byContentType", props.t.byContentType.map((x) => ({ label: x.kind, value: x.shareRemoved ?? 0 }))],
          ["byBehaviour", props.t.byBehaviour.map((x) => ({ label: x.behaviour, value: x.shareRemoved ?? 0 }))],
          ["byBankRemoved", props.t.byBank.map((x) => ({ label: x.bankName, value: x.shareRemoved ?? 0 }))],
        ] as const
      ).map(([key, items]) => (
        <div key={key}>
          <h3>{t(`dashboard:${key}`)}</h3>
          <BarList items={[...items]} max={1} format={(v) => percent(v)} empty={t("dashboard:noneInRange")} />
        </div>
      ))}
      <h3>{t("dashboard:byPlatform")}</h3>
      <BarList
        items={props.t.byPlatform.map((p) => ({
          label: p.platform || t("dashboard:thisMember"),
          value: p.shareRemoved ?? 0,
        }))}
        format={(v) => percent(v)}
        empty={t("dashboard:noPlatforms")}
      />
    </div>
  );
}

/** Why each figure shown as "—" could not be estimated, in words (never a bare dash). */
function CannotEstimate(props: { reasons: [number | null | undefined, string][] }) {
  const missing = props.reasons.filter(([v]) => v === null || v === undefined || !Number.isFinite(v));
  if (missing.length === 0) return null;
  return (
    <ul class="cannot-estimate muted small" data-testid="cannot-estimate">
      {missing.map(([, key]) => (
        <li key={key}>{t(`dashboard:cannotEstimate.${key}`)}</li>
      ))}
    </ul>
  );
}

/** Re-uploads of the same content and who decided the removals (GET /v1/measure/reuploads). */
function ReuploadView(props: { r: ReuploadReport }) {
  const r = props.r.reuploads;
  const d = props.r.decisions;
  const m = d.matching;
  return (
    <div class="reuploads">
      <dl class="totals">
        <div>
          <dt>{t("dashboard:ru.reuploads")}</dt>
          <dd data-testid="reuploads">{formatNumber(r.reuploads)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:ru.across")}</dt>
          <dd>{formatNumber(r.acrossPlatforms)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:ru.afterRemoval")}</dt>
          <dd>{formatNumber(r.afterRemoval)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:ru.matchedKnown")}</dt>
          <dd>{formatNumber(r.matchedKnown)}</dd>
        </div>
        <div>
          <dt>{t("dashboard:ru.precision")}</dt>
          <dd>
            {m.precision === null
              ? "—"
              : t("dashboard:ru.precisionValue", {
                  p: percent(m.precision),
                  low: percent(m.interval?.low ?? null),
                  high: percent(m.interval?.high ?? null),
                  n: m.reviewed,
                })}
          </dd>
        </div>
      </dl>
      <CannotEstimate reasons={[[m.precision, "precision"]]} />
      <h3>{t("dashboard:ru.decisions")}</h3>
      <BarList
        items={[
          { label: t("dashboard:ru.human"), value: d.removals.human },
          { label: t("dashboard:ru.automated"), value: d.removals.automated },
          { label: t("dashboard:ru.memberProcess"), value: d.removals.memberProcess },
        ]}
        format={(v) => t("dashboard:unitItems", { value: v })}
        empty={t("dashboard:noneRemoved")}
      />
    </div>
  );
}
