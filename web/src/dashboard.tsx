/**
 * The dashboard: activity over time, time-to-action percentiles against the one-hour line,
 * matches by bank and label, and — once the measurement API exists — the anti:pro ratio with
 * its confidence band and the takedown figures.
 */

import { useState } from "preact/hooks";
import { query, type Api } from "./lib/api.js";
import { activitySeries, ratioSeries } from "./lib/charts.js";
import { validationNote } from "./lib/labelling.js";
import { RANGES, formatDuration, percent, rangeOf } from "./lib/time.js";
import type { Activity, Me, StanceMeasurement, TakedownReport, TimeToAction } from "./lib/types.js";
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

  return (
    <main id="main" class="dashboard">
      <div class="page-head">
        <h1>Dashboard</h1>
        <label class="inline">
          Range
          <select value={rangeId} onChange={(e) => setRangeId(e.currentTarget.value)}>
            {RANGES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted">{props.me.org.name}: items this organisation submitted, and matches in the banks you may see.</p>
      <ErrorBox error={activity.error} />
      {activity.data && (
        <dl class="totals">
          <div>
            <dt>Received</dt>
            <dd>{activity.data.totals.received}</dd>
          </div>
          <div>
            <dt>Matched</dt>
            <dd>{activity.data.totals.matched}</dd>
          </div>
          <div>
            <dt>Actions</dt>
            <dd>{activity.data.totals.actions}</dd>
          </div>
        </dl>
      )}
      <div class="grid">
        <Panel title="Matches and actions over time" id="activity" class="wide">
          {activity.data ? (
            <ActivityChart data={activitySeries(activity.data.periods)} interval={activity.data.interval} />
          ) : (
            <p class="muted">{activity.loading ? "Loading…" : ""}</p>
          )}
        </Panel>
        <Panel title="Time to action" id="tta">
          <ErrorBox error={tta.error} />
          {tta.data &&
            (tta.data.acted_ms.count === 0 ? (
              <p class="muted">No item was acted on in this range.</p>
            ) : (
              <PercentileChart p={tta.data.acted_ms} count={tta.data.acted_ms.count} />
            ))}
        </Panel>
        <Panel title="Matches by bank" id="by-bank">
          {activity.data && (
            <BarList
              items={activity.data.by_bank.map((b) => ({ label: b.bank_name, value: b.matches }))}
              unit="items"
              empty="No matches in this range."
            />
          )}
        </Panel>
        <Panel title="Matches by label" id="by-label">
          {activity.data && (
            <BarList
              items={activity.data.by_label.map((l) => ({ label: `${l.label} (${l.kind})`, value: l.matches }))}
              unit="items"
              empty="No labelled matches in this range."
            />
          )}
        </Panel>
        <Panel title="Anti : pro ratio" id="ratio" class="wide">
          <ErrorBox error={stance.error} />
          {stance.loading ? (
            <p class="muted">Loading…</p>
          ) : !stance.data ? (
            <p class="muted notice" data-testid="measurement-unavailable">
              Measurement not available: this server does not measure stance yet.
            </p>
          ) : ratioSeries(stance.data.periods).any ? (
            <>
              <RatioChart data={ratioSeries(stance.data.periods).data} />
              <p class="muted">
                The shaded band is the 95% confidence interval of the ratio, from {stance.data.overall.labelled} items
                labelled by people and the model's predictions on all {stance.data.overall.items}.
              </p>
              {validationNote(stance.data.overall) && (
                <p class="notice" data-testid="model-only">
                  {validationNote(stance.data.overall)}
                </p>
              )}
            </>
          ) : (
            <p class="muted">No classified items in this range.</p>
          )}
        </Panel>
        <Panel title="Takedown" id="takedown" class="wide">
          <ErrorBox error={takedown.error} />
          {takedown.loading ? (
            <p class="muted">Loading…</p>
          ) : !takedown.data ? (
            <p class="muted notice">Measurement not available: this server does not report takedowns yet.</p>
          ) : (
            <TakedownView t={takedown.data} />
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
          <dt>Matched</dt>
          <dd>{o.matched}</dd>
        </div>
        <div>
          <dt>Removed</dt>
          <dd>{percent(o.shareRemoved)}</dd>
        </div>
        <div>
          <dt>Within the hour</dt>
          <dd>{percent(o.withinHourShare)}</dd>
        </div>
        <div>
          <dt>Median time to action</dt>
          <dd>{formatDuration(o.timeToAction.p50)}</dd>
        </div>
      </dl>
      <PercentileChart p={o.timeToAction} />
      <h3>Share removed by platform</h3>
      <BarList
        items={props.t.byPlatform.map((p) => ({
          label: p.platform || "(this member)",
          value: Math.round((p.shareRemoved ?? 0) * 100),
        }))}
        unit="%"
        empty="No platforms in this range."
      />
    </div>
  );
}
