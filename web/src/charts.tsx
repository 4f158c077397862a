/**
 * Charts: time series with uPlot (activity, and the anti:pro ratio with its confidence band),
 * bars drawn as SVG (percentiles against the one-hour line, matches by bank or label). Each
 * chart has a text summary for screen readers.
 */

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { bars, percentileBars, timeTickLabels, valueTickLabels, type Bar } from "./lib/charts.js";
import { formatDateTime, formatNumber, formatPercent, t } from "./lib/i18n.js";
import { formatDuration } from "./lib/time.js";
import { Txt } from "./ui.js";

// Strokes at 3:1 or more against white (WCAG 2.2 non-text contrast).
const COLOURS = {
  received: "#3b5bdb",
  matched: "#c2410c",
  actions: "#2b8a3e",
  ratio: "#5f3dc4",
  pro: "#b42318",
  anti: "#1c6e8c",
};

/** uPlot's axes, hover legend and dates in the person's locale and digits. */
export function localAxes(
  yLabel: string,
  y: (n: number) => string = (n) => formatNumber(n),
): Pick<uPlot.Options, "axes"> & { xValue: uPlot.Series["value"]; yValue: uPlot.Series["value"] } {
  const date = (ms: number, opts: Intl.DateTimeFormatOptions) => formatDateTime(ms, opts);
  return {
    axes: [
      { values: (_u, splits) => timeTickLabels(splits, date) },
      { label: yLabel, size: 56, values: (_u, splits) => valueTickLabels(splits, y) },
    ],
    xValue: (_u, v) => (v === null ? "—" : formatDateTime(v * 1000)),
    yValue: (_u, v) => (v === null ? "—" : y(v)),
  };
}

/** A uPlot chart that follows its container's width. */
export function UPlot(props: {
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  height?: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(200, el.clientWidth);
    const chart = new uPlot(
      { ...props.options, width: width(), height: props.height ?? 220 } as uPlot.Options,
      props.data,
      el,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: props.height ?? 220 }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [props.data]);
  return <div class="uplot-box" ref={box} role="img" aria-label={props.label} />;
}

export function ActivityChart(props: { data: [number[], number[], number[], number[]]; interval: string }) {
  const l = localAxes(t("dashboard:chart.items"));
  const opts: Omit<uPlot.Options, "width" | "height"> = {
    scales: { x: { time: true } },
    axes: l.axes!,
    series: [
      { value: l.xValue! },
      {
        label: t("dashboard:chart.received"),
        value: l.yValue!,
        stroke: COLOURS.received,
        width: 2,
        points: { show: props.data[0].length < 60 },
      },
      {
        label: t("dashboard:chart.matched"),
        value: l.yValue!,
        stroke: COLOURS.matched,
        width: 2,
        points: { show: props.data[0].length < 60 },
      },
      {
        label: t("dashboard:chart.actions"),
        value: l.yValue!,
        stroke: COLOURS.actions,
        width: 2,
        dash: [6, 4],
        points: { show: props.data[0].length < 60 },
      },
    ],
  };
  const total = (i: 1 | 2 | 3) => props.data[i].reduce((a, b) => a + b, 0);
  return (
    <UPlot
      options={opts}
      data={props.data}
      label={t("dashboard:chart.activityAria", {
        interval: ["hour", "day", "week"].includes(props.interval)
          ? t(`dashboard:interval.${props.interval}`)
          : props.interval,
        received: total(1),
        matched: total(2),
        actions: total(3),
      })}
    />
  );
}

export function RatioChart(props: { data: [number[], (number | null)[], (number | null)[], (number | null)[]] }) {
  const ratio = (n: number) => formatNumber(n, { maximumFractionDigits: 1 });
  const l = localAxes(t("dashboard:chart.ratioAxis"), ratio);
  const opts: Omit<uPlot.Options, "width" | "height"> = {
    scales: { x: { time: true } },
    axes: l.axes!,
    series: [
      { value: l.xValue! },
      { label: t("dashboard:chart.ratioSeries"), value: l.yValue!, stroke: COLOURS.ratio, width: 2, spanGaps: false },
      { label: t("dashboard:chart.low"), value: l.yValue!, stroke: "rgba(95,61,196,0.6)", width: 1 },
      { label: t("dashboard:chart.high"), value: l.yValue!, stroke: "rgba(95,61,196,0.6)", width: 1 },
    ],
    bands: [{ series: [3, 2], fill: "rgba(95,61,196,0.15)" }],
  };
  const last = [...props.data[1]].reverse().find((v) => v !== null);
  return (
    <UPlot
      options={opts}
      data={props.data as uPlot.AlignedData}
      label={t("dashboard:chart.ratioAria", {
        latest:
          last !== undefined && last !== null
            ? formatNumber(last, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
            : t("dashboard:chart.none"),
      })}
    />
  );
}

/** The estimated pro and anti shares per period, each with its 95% interval as a band. */
export function PrevalenceChart(props: { data: [number[], ...(number | null)[][]] }) {
  const share = (n: number) => formatPercent(n, 1);
  const l = localAxes(t("dashboard:chart.shareAxis"), share);
  const band = (label: string, stroke: string) => ({ label, value: l.yValue!, stroke, width: 1, dash: [3, 3] });
  const opts: Omit<uPlot.Options, "width" | "height"> = {
    scales: { x: { time: true } },
    axes: l.axes!,
    series: [
      { value: l.xValue! },
      { label: t("dashboard:chart.pro"), value: l.yValue!, stroke: COLOURS.pro, width: 2, spanGaps: false },
      band(t("dashboard:chart.proLow"), COLOURS.pro),
      band(t("dashboard:chart.proHigh"), COLOURS.pro),
      { label: t("dashboard:chart.anti"), value: l.yValue!, stroke: COLOURS.anti, width: 2, spanGaps: false },
      band(t("dashboard:chart.antiLow"), COLOURS.anti),
      band(t("dashboard:chart.antiHigh"), COLOURS.anti),
    ],
    bands: [
      { series: [3, 2], fill: "rgba(180,35,24,0.12)" },
      { series: [6, 5], fill: "rgba(28,110,140,0.12)" },
    ],
  };
  const last = (i: number) => [...(props.data[i] as (number | null)[])].reverse().find((v) => v !== null);
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? t("dashboard:chart.none") : share(v));
  return (
    <UPlot
      options={opts}
      data={props.data as uPlot.AlignedData}
      label={t("dashboard:chart.prevalenceAria", { pro: fmt(last(1)), anti: fmt(last(4)) })}
    />
  );
}

/** Horizontal bars with the value beside each (text stays readable at any zoom). */
export function BarList(props: {
  items: { label: string; value: number }[];
  /** The value as shown beside its bar, with its unit, in the locale. */
  format: (value: number) => string;
  empty: string;
  max?: number;
}) {
  const list: Bar[] = bars(props.items, props.max ?? 10);
  if (list.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="bar-list">
      {list.map((b) => (
        <li key={b.label}>
          <span class="bar-label">
            <Txt value={b.label} />
          </span>
          <span class="bar-track" aria-hidden="true">
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" class="bar-svg">
              <rect x="0" y="0" height="10" width={Math.max(1, b.share * 100)} class="bar-fill" />
            </svg>
          </span>
          <span class="bar-value">{props.format(b.value)}</span>
        </li>
      ))}
    </ul>
  );
}

/** p50, p90 and p99 of time-to-action as bars, with the one-hour line across them. */
export function PercentileChart(props: {
  p: { p50: number | null; p90: number | null; p99: number | null };
  count?: number;
}) {
  const { bars: list, hourShare } = percentileBars(props.p);
  const rowH = 14;
  return (
    <figure class="percentiles">
      <svg
        viewBox={`0 0 100 ${list.length * rowH + 8}`}
        class="percentile-svg"
        preserveAspectRatio="none"
        role="img"
        aria-label={t("dashboard:chart.pctAria", {
          values: list
            .map((b) => t("dashboard:chart.pctValue", { label: b.label, value: formatDuration(b.ms) }))
            .join(", "),
        })}
      >
        {list.map((b, i) => (
          <g key={b.label}>
            <rect
              x="0"
              y={i * rowH + 2}
              width={Math.max(0.5, b.share * 100)}
              height={rowH - 5}
              class={b.withinHour ? "pct-ok" : "pct-late"}
            />
          </g>
        ))}
        <line
          x1={hourShare * 100}
          x2={hourShare * 100}
          y1="0"
          y2={list.length * rowH + 8}
          class="hour-line"
          vector-effect="non-scaling-stroke"
        />
      </svg>
      <figcaption>
        <ul class="pct-legend">
          {list.map((b) => (
            <li key={b.label}>
              <strong>{b.label}</strong> {formatDuration(b.ms)}{" "}
              {b.ms === null ? "" : b.withinHour ? t("dashboard:chart.within") : t("dashboard:chart.over")}
            </li>
          ))}
        </ul>
        <span class="muted">
          {t("dashboard:chart.hourLine")}
          {props.count !== undefined ? ` ${t("dashboard:chart.count", { count: props.count })}` : ""}
        </span>
      </figcaption>
    </figure>
  );
}
