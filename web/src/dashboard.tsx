/**
 * The dashboard: activity over time, time-to-action percentiles against the one-hour line,
 * matches by bank and label, and — once the measurement API exists — the anti:pro ratio with
 * its confidence band and the takedown figures.
 */

import { useState } from "preact/hooks";
import { query, type Api } from "./lib/api.js";
import { activitySeries, ratioSeries } from "./lib/charts.js";
import { validationNote } from "./lib/labelling.js";
import { formatNumber, t } from "./lib/i18n.js";
import { RANGES, formatDuration, percent, rangeLabel, rangeOf } from "./lib/time.js";
import type { Activity, Me, ReuploadReport, StanceMeasurement, TakedownReport, TimeToAction } from "./lib/types.js";
import { ActivityChart, BarList, PercentileChart, RatioChart } from "./charts.js";
import { ErrorBox, Panel, useLoad } from "./ui.js";

export function Dashboard(props: { api: Api; me: Me }) {
  const [rangeId, setRangeId] = useState("7d");
  const preset = RANGES.find((r) => r.id === rangeId) ?? RANGES[1]!;
  const [now] = useState(() => Date.now());
  const { from, to } = rangeOf(preset, now);
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
        `/v1/measure/stance${query({ from, to, interval: preset.measureInterval })}`,
      ),
    [rangeId],
  );
  const takedown = useLoad(
    () => props.api.optional<TakedownReport>(`/v1/measure/takedown${query({ from, to })}`),
    [rangeId],
  );
  const reuploads = useLoad(
    () => props.api.optional<ReuploadReport>(`/v1/measure/reuploads${query({ from, to })}`),
    [rangeId],
  );

  return (
    <main id="main" class="dashboard">
      <div class="page-head">
        <h1>{t("dashboard:title")}</h1>
        <label class="inline">
          {t("dashboard:range")}
          <select value={rangeId} onChange={(e) => setRangeId(e.currentTarget.value)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {rangeLabel(r)}
              </option>
            ))}
          </select>
        </label>
      </div>
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
        <Panel title={t("dashboard:ratio")} id="ratio" class="wide">
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
                {t("dashboard:stanceScope")}
              </p>
              {validationNote(stance.data.overall) && (
                <p class="notice" data-testid="model-only">
                  {validationNote(stance.data.overall)}
                </p>
              )}
            </>
          ) : (
            <p class="muted">{t("dashboard:ratioNone")}</p>
          )}
        </Panel>
        <Panel title={t("dashboard:takedown")} id="takedown" class="wide">
          <ErrorBox error={takedown.error} />
          {takedown.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !takedown.data ? (
            <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
          ) : (
            <TakedownView t={takedown.data} />
          )}
        </Panel>
        <Panel title={t("dashboard:reuploads")} id="reuploads" class="wide">
          <ErrorBox error={reuploads.error} />
          {reuploads.loading ? (
            <p class="muted">{t("loading")}</p>
          ) : !reuploads.data ? (
            <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
          ) : (
            <ReuploadView r={reuploads.data} />
          )}
        </Panel>
      </div>
    </main>
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
