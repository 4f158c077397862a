/**
 * Links that stay down (issue 19): the figures (links alerted, share offline per period, per
 * host and per platform, median time to takedown after an alert with its interval), the
 * banked links with their liveness, and one link's history — every check with the hops of
 * its redirect chain — and its alerts. An admin lists the organisation's own domains here.
 */

import { useState } from "preact/hooks";
import type {
  DomainView,
  LinkDetailView,
  LinkMeasurementView,
  LinkView,
  MedianView,
} from "../../src/http/schemas/links.js";
import { BarList, UPlot } from "./charts.js";
import type { Api } from "./lib/api.js";
import { formatDateTime, formatNumber, formatPercent, t } from "./lib/i18n.js";
import { formatDuration } from "./lib/time.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Panel, Txt, useLoad } from "./ui.js";

const STATES = ["", "online", "removed", "error", "unchecked"] as const;

function median(m: MedianView): string {
  if (m.median_seconds === null)
    return t("links:median.none", { n: formatNumber(m.n), events: formatNumber(m.events) });
  return t("links:median.value", {
    median: formatDuration(m.median_seconds * 1000),
    low: m.low_seconds === null ? "—" : formatDuration(m.low_seconds * 1000),
    high: m.high_seconds === null ? "∞" : formatDuration(m.high_seconds * 1000),
    n: formatNumber(m.n),
  });
}

function Figures(props: { api: Api }) {
  const m = useLoad(() => props.api.get<LinkMeasurementView>("/v1/measure/links?interval=day"), []);
  if (m.error) return <ErrorBox error={m.error} />;
  if (!m.data) return <p class="muted">{t("loading")}</p>;
  const o = m.data.overall;
  const periods = m.data.periods;
  const series: [number[], (number | null)[]] = [
    periods.map((p) => Date.parse(p.start) / 1000),
    periods.map((p) => (p.share === null ? null : p.share * 100)),
  ];
  return (
    <>
      <dl class="figures">
        <dt>{t("links:fig.alerted")}</dt>
        <dd>{formatNumber(o.alerted)}</dd>
        <dt>{t("links:fig.offline")}</dt>
        <dd>
          {o.share === null
            ? "—"
            : t("links:fig.offlineValue", {
                share: formatPercent(o.share),
                offline: formatNumber(o.offline),
                checked: formatNumber(o.checked),
              })}
        </dd>
        <dt>{t("links:fig.takedown")}</dt>
        <dd>{median(o.alert_to_takedown)}</dd>
      </dl>
      <UPlot
        options={{
          scales: { x: { time: true }, y: { range: [0, 100] } },
          axes: [{}, { label: t("links:chart.axis"), size: 50 }],
          series: [{}, { label: t("links:chart.series"), stroke: "#c92a2a", width: 2, spanGaps: false }],
        }}
        data={series as never}
        label={t("links:chart.aria", { share: o.share === null ? "—" : formatPercent(o.share) })}
      />
      <h3>{t("links:byHost")}</h3>
      <BarList
        items={m.data.by_host.filter((h) => h.share !== null).map((h) => ({ label: h.host, value: h.share! }))}
        format={(v) => formatPercent(v)}
        empty={t("links:none")}
      />
      <h3>{t("links:byPlatform")}</h3>
      <BarList
        items={m.data.by_platform
          .filter((p) => p.share !== null)
          .map((p) => ({ label: p.platform === "unlisted" ? t("links:unlisted") : p.platform, value: p.share! }))}
        format={(v) => formatPercent(v)}
        empty={t("links:none")}
      />
    </>
  );
}

function Detail(props: { api: Api; id: number }) {
  const d = useLoad(() => props.api.get<LinkDetailView>(`/v1/links/${props.id}`), [props.id]);
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <p class="muted">{t("loading")}</p>;
  const { link, checks, alerts } = d.data;
  return (
    <section aria-labelledby="link-h" class="link-detail">
      <h3 id="link-h">
        <Txt value={link.url} />
      </h3>
      <p>
        {t(`links:state.${link.status}`)}
        {link.first_offline_at ? ` · ${t("links:firstOffline", { at: formatDateTime(link.first_offline_at) })}` : ""}
      </p>
      {alerts.length > 0 && <p>{t("links:alerted", { at: formatDateTime(alerts[0]!.alerted_at) })}</p>}
      <div class="table-box">
        <table>
          <caption>{t("links:history")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("links:col.checked")}</th>
              <th scope="col">{t("links:col.status")}</th>
              <th scope="col">{t("links:col.detail")}</th>
              <th scope="col">{t("links:col.hops")}</th>
            </tr>
          </thead>
          <tbody>
            {checks.map((c, i) => (
              <tr key={i}>
                <td>{formatDateTime(c.checked_at)}</td>
                <td>{t(`links:state.${c.status}`)}</td>
                <td>
                  <Txt value={c.detail} />
                </td>
                <td>
                  <ol class="hops">
                    {c.hops.map((h, j) => (
                      <li key={j}>
                        {h.method} {h.status ?? "—"} <Txt value={h.url} />
                      </li>
                    ))}
                  </ol>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Domains(props: { api: Api; canEdit: boolean }) {
  const list = useLoad(() => props.api.get<{ domains: DomainView[] }>("/v1/domains"), []);
  const [domain, setDomain] = useState("");
  const [error, setError] = useState<unknown>();
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await props.api.post("/v1/domains", { domain });
      setDomain("");
      setError(undefined);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (d: string) => {
    try {
      await props.api.delete(`/v1/domains/${encodeURIComponent(d)}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <p class="muted">{t("links:domainsIntro")}</p>
      <ErrorBox error={list.error ?? error} />
      <ul class="domains">
        {(list.data?.domains ?? []).map((d) => (
          <li key={d.domain}>
            <Txt value={d.domain} />{" "}
            {props.canEdit && (
              <button type="button" onClick={() => void remove(d.domain)}>
                {t("links:remove")}
              </button>
            )}
          </li>
        ))}
      </ul>
      {props.canEdit && (
        <form onSubmit={(e) => void add(e)}>
          <label>
            {t("links:domain")}{" "}
            <input dir="ltr" value={domain} onInput={(e) => setDomain((e.target as HTMLInputElement).value)} required />
          </label>{" "}
          <button type="submit">{t("links:add")}</button>
        </form>
      )}
    </>
  );
}

export function Links(props: { api: Api; me: Me }) {
  const [status, setStatus] = useState<(typeof STATES)[number]>("");
  const [selected, setSelected] = useState<number | undefined>();
  const links = useLoad(
    () => props.api.get<{ links: LinkView[] }>(`/v1/links?limit=200${status ? `&status=${status}` : ""}`),
    [status],
  );
  const may = (p: string) => props.me.permissions.includes(p);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t("links:title")}</h1>
      <p class="muted">{t("links:intro")}</p>
      {may("measure.read") && (
        <Panel title={t("links:figures")} id="link-figures">
          <Figures api={props.api} />
        </Panel>
      )}
      <Panel title={t("links:list")} id="link-list">
        <label>
          {t("links:filter")}{" "}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as typeof status)}>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === "" ? t("links:all") : t(`links:state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <ErrorBox error={links.error} />
        {links.data && links.data.links.length === 0 ? (
          <p>{t("links:empty")}</p>
        ) : (
          <div class="table-box">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("links:col.url")}</th>
                  <th scope="col">{t("links:col.status")}</th>
                  <th scope="col">{t("links:col.checked")}</th>
                  <th scope="col">{t("links:col.offline")}</th>
                </tr>
              </thead>
              <tbody>
                {(links.data?.links ?? []).map((l) => (
                  <tr key={l.id} aria-selected={selected === l.id}>
                    <td>
                      <button type="button" class="link" onClick={() => setSelected(l.id)}>
                        <Txt value={l.url} />
                      </button>
                    </td>
                    <td>{t(`links:state.${l.status}`)}</td>
                    <td>{l.last_checked_at ? formatDateTime(l.last_checked_at) : "—"}</td>
                    <td>{l.first_offline_at ? formatDateTime(l.first_offline_at) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {selected !== undefined && <Detail api={props.api} id={selected} />}
      </Panel>
      <Panel title={t("links:domains")} id="link-domains">
        <Domains api={props.api} canEdit={may("settings.write")} />
      </Panel>
    </main>
  );
}
