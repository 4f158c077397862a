/**
 * The dashboard's account and link figures (issue 19): accounts suspended and returning
 * accounts found per period, with the median time from suspension to return and its 95%
 * interval (GET /v1/measure/accounts); links alerted, the share of banked links offline per
 * period with its 95% interval as a band, per host and per platform, and the median time to
 * takedown after an alert (GET /v1/measure/links). Each chart has a text summary.
 */

import type uPlot from "uplot";
import type { AccountMeasurementView } from "../../src/http/schemas/accounts.js";
import type { LinkMeasurementView, MedianView } from "../../src/http/schemas/links.js";
import { BarList, UPlot, localAxes } from "./charts.js";
import { query, type Api } from "./lib/api.js";
import { formatNumber, formatPercent, t } from "./lib/i18n.js";
import { formatDuration } from "./lib/time.js";
import { ErrorBox, Panel, useLoad } from "./ui.js";

/** A median with its interval, as text ("—" parts when not known). */
export function medianText(m: MedianView): string {
  if (m.median_seconds === null) return t("dashboard:acct.medianNone", { n: formatNumber(m.n) });
  return t("dashboard:acct.medianValue", {
    median: formatDuration(m.median_seconds * 1000),
    low: m.low_seconds === null ? "—" : formatDuration(m.low_seconds * 1000),
    high: m.high_seconds === null ? "∞" : formatDuration(m.high_seconds * 1000),
    n: formatNumber(m.n),
  });
}

function shareText(s: { share: number | null; share_low: number | null; share_high: number | null }): string {
  if (s.share === null) return "—";
  return t("dashboard:acct.shareValue", {
    share: formatPercent(s.share),
    low: formatPercent(s.share_low ?? 0),
    high: formatPercent(s.share_high ?? 1),
  });
}

const x = (periods: readonly { start: string }[]) => periods.map((p) => Date.parse(p.start) / 1000);

function AccountsChart(props: { m: AccountMeasurementView }) {
  const l = localAxes(t("dashboard:acct.axisAccounts"));
  const periods = props.m.periods;
  const data: uPlot.AlignedData = [x(periods), periods.map((p) => p.suspended), periods.map((p) => p.returns)];
  const points = { show: periods.length < 60 };
  return (
    <UPlot
      options={{
        scales: { x: { time: true } },
        axes: l.axes!,
        series: [
          { value: l.xValue! },
          { label: t("dashboard:acct.suspended"), value: l.yValue!, stroke: "#3b5bdb", width: 2, points },
          { label: t("dashboard:acct.returns"), value: l.yValue!, stroke: "#c2410c", width: 2, dash: [6, 4], points },
        ],
      }}
      data={data}
      label={t("dashboard:acct.chartAria", {
        suspended: formatNumber(props.m.overall.suspended),
        returns: formatNumber(props.m.overall.returns),
      })}
    />
  );
}

function OfflineChart(props: { m: LinkMeasurementView }) {
  const pct = (n: number) => formatPercent(n / 100, 0);
  const l = localAxes(t("dashboard:acct.axisOffline"), pct);
  const periods = props.m.periods;
  const as100 = (v: number | null) => (v === null ? null : v * 100);
  const data = [
    x(periods),
    periods.map((p) => as100(p.share)),
    periods.map((p) => as100(p.share_low)),
    periods.map((p) => as100(p.share_high)),
  ] as uPlot.AlignedData;
  return (
    <UPlot
      options={{
        scales: { x: { time: true }, y: { range: [0, 100] } },
        axes: l.axes!,
        series: [
          { value: l.xValue! },
          { label: t("dashboard:acct.offline"), value: l.yValue!, stroke: "#b42318", width: 2, spanGaps: false },
          { label: t("dashboard:chart.low"), value: l.yValue!, stroke: "rgba(180,35,24,0.6)", width: 1 },
          { label: t("dashboard:chart.high"), value: l.yValue!, stroke: "rgba(180,35,24,0.6)", width: 1 },
        ],
        bands: [{ series: [3, 2], fill: "rgba(180,35,24,0.12)" }],
      }}
      data={data}
      label={t("dashboard:acct.offlineAria", { share: shareText(props.m.overall) })}
    />
  );
}

/** Two panels: accounts and ban evasion, and links that stay down. */
export function AccountFigures(props: {
  api: Api;
  from: string;
  to: string;
  interval: "day" | "week" | "month";
  scope: "org" | "coalition";
  scopeName: string;
}) {
  const key = [props.from, props.to, props.interval, props.scope];
  const accounts = useLoad(
    () =>
      props.api.optional<AccountMeasurementView>(
        `/v1/measure/accounts${query({ from: props.from, to: props.to, interval: props.interval, scope: props.scope })}`,
      ),
    key,
  );
  const links = useLoad(
    () =>
      props.api.optional<LinkMeasurementView>(
        `/v1/measure/links${query({ from: props.from, to: props.to, interval: props.interval })}`,
      ),
    key,
  );
  const a = accounts.data;
  const m = links.data;
  return (
    <>
      <Panel title={t("dashboard:acct.title", { scope: props.scopeName })} id="accounts" class="wide">
        <ErrorBox error={accounts.error} />
        {accounts.loading ? (
          <p class="muted">{t("loading")}</p>
        ) : !a ? (
          <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
        ) : (
          <>
            <dl class="figures" data-testid="account-figures">
              <dt>{t("dashboard:acct.suspended")}</dt>
              <dd>{formatNumber(a.overall.suspended)}</dd>
              <dt>{t("dashboard:acct.returns")}</dt>
              <dd>{formatNumber(a.overall.returns)}</dd>
              <dt>{t("dashboard:acct.timeToReturn")}</dt>
              <dd>{medianText(a.overall.time_to_return)}</dd>
            </dl>
            <AccountsChart m={a} />
            <h3>{t("dashboard:acct.byReporter")}</h3>
            <BarList
              items={a.by_reporter.map((r) => ({ label: r.reporter, value: r.suspended }))}
              format={(v) => formatNumber(v)}
              empty={t("dashboard:acct.none")}
            />
            <p class="muted small">{t("dashboard:acct.explain")}</p>
          </>
        )}
      </Panel>
      <Panel title={t("dashboard:acct.linksTitle")} id="links-figures" class="wide">
        <ErrorBox error={links.error} />
        {links.loading ? (
          <p class="muted">{t("loading")}</p>
        ) : !m ? (
          <p class="muted notice">{t("dashboard:takedownUnavailable")}</p>
        ) : (
          <>
            <dl class="figures" data-testid="link-figures">
              <dt>{t("dashboard:acct.alerted")}</dt>
              <dd>{formatNumber(m.overall.alerted)}</dd>
              <dt>{t("dashboard:acct.offline")}</dt>
              <dd>{shareText(m.overall)}</dd>
              <dt>{t("dashboard:acct.takedown")}</dt>
              <dd>{medianText(m.overall.alert_to_takedown)}</dd>
            </dl>
            <OfflineChart m={m} />
            <h3>{t("dashboard:acct.byHost")}</h3>
            <BarList
              items={m.by_host
                .filter((h) => h.share !== null)
                .slice(0, 10)
                .map((h) => ({ label: h.host, value: h.share! }))}
              format={(v) => formatPercent(v)}
              empty={t("dashboard:acct.none")}
            />
            <h3>{t("dashboard:acct.byPlatform")}</h3>
            <BarList
              items={m.by_platform
                .filter((p) => p.share !== null)
                .map((p) => ({
                  label: p.platform === "unlisted" ? t("dashboard:acct.unlisted") : p.platform,
                  value: p.share!,
                }))}
              format={(v) => formatPercent(v)}
              empty={t("dashboard:acct.none")}
            />
          </>
        )}
      </Panel>
    </>
  );
}
