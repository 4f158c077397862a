/**
 * Reports: the transparency report (Regulation (EU) 2021/784 Art. 7) generated for a period
 * and downloaded as JSON, CSV or HTML (GET /v1/reports/transparency); and, for a signal
 * owner (curator), how often the signals of their banks hit, in which members' items, and
 * what those members decided (GET /v1/measure/signal-hits: counts, never content).
 */

import { useState } from "preact/hooks";
import { query, type Api } from "./lib/api.js";
import { formatDate, formatNumber, t } from "./lib/i18n.js";
import { percent } from "./lib/time.js";
import type { Me } from "./lib/types.js";
import { BarList } from "./charts.js";
import { Definitions } from "./dashboard.js";
import { ErrorBox, Panel, TlpBadge, Txt, useLoad } from "./ui.js";

const DAY = 86_400_000;

interface ReportSummary {
  title: string;
  organisation: string;
  generatedAt: string;
  period: { from: string; to: string };
  removalOrders: { received: number; metWithinOneHour: number; notActioned: number };
  removals: { removed: number; disabled: number };
  complaints: { received: number; upheld: number };
  restorations: { total: number };
  automatedTools: { labelledItems: number; accuracy: number | null };
}

interface Decisions {
  violating: number;
  not_violating: number;
  escalate: number;
}

interface SignalHits {
  from: string;
  to: string;
  banks: { id: number; name: string; tlp: string }[];
  items: number;
  decisions: Decisions;
  undecided: number;
  by_member: { member: string; items: number; decisions: Decisions }[];
  by_signal: { signal_id: number; bank_id: number; items: number; members: number; decisions: Decisions }[];
}

/** YYYY-MM-DD (UTC) of a time. */
const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function Reports(props: { api: Api; me: Me }) {
  const may = (p: string) => props.me.permissions.includes(p);
  return (
    <main id="main" class="reports">
      <div class="page-head">
        <h1>{t("reports:title")}</h1>
      </div>
      <div class="grid">
        {may("measure.read") && <TransparencyReport api={props.api} coalition={may("coalition.read")} />}
        {may("signal.write") && <SignalHitsView api={props.api} me={props.me} />}
      </div>
      <Definitions />
    </main>
  );
}

function TransparencyReport(props: { api: Api; coalition: boolean }) {
  const [now] = useState(() => Date.now());
  const [from, setFrom] = useState(ymd(now - 365 * DAY));
  const [to, setTo] = useState(ymd(now + DAY));
  const [scope, setScope] = useState<"org" | "coalition">("org");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [summary, setSummary] = useState<ReportSummary | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const path = (format: string) =>
    `/v1/reports/transparency${query({
      from: `${from}T00:00:00Z`,
      to: `${to}T00:00:00Z`,
      format,
      scope: props.coalition ? scope : undefined,
    })}`;
  const valid = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) return t("reports:badDates");
    if (!(from < to)) return t("reports:fromBeforeTo");
    return undefined;
  };
  const generate = async () => {
    const p = valid();
    setProblem(p);
    if (p) return;
    setBusy(true);
    setError(undefined);
    try {
      setSummary(await props.api.get<ReportSummary>(path("json")));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const download = async (format: "json" | "csv" | "html") => {
    setError(undefined);
    try {
      const blob = (await props.api.blob(path(format))) as Blob;
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = `transparency-report-${scope}-${from}-${to}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Panel title={t("reports:transparency")} id="transparency" class="wide">
      <p class="muted">{t("reports:transparencyIntro")}</p>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <label>
          {t("reports:from")}
          <input type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} required />
        </label>
        <label>
          {t("reports:to")}
          <input type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} required />
        </label>
        {props.coalition && (
          <label>
            {t("reports:scope")}
            <select
              value={scope}
              onChange={(e) => setScope(e.currentTarget.value === "coalition" ? "coalition" : "org")}
            >
              <option value="org">{t("reports:scopeOrg")}</option>
              <option value="coalition">{t("reports:scopeCoalition")}</option>
            </select>
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t("reports:generating") : t("reports:generate")}
        </button>
      </form>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorBox error={error} />
      {summary && (
        <div data-testid="report-summary">
          <h3>
            <Txt value={summary.organisation} />
          </h3>
          <p class="muted">
            {t("reports:period", { from: formatDate(summary.period.from), to: formatDate(summary.period.to) })}
          </p>
          <dl class="totals">
            <div>
              <dt>{t("reports:orders")}</dt>
              <dd>{formatNumber(summary.removalOrders.received)}</dd>
            </div>
            <div>
              <dt>{t("reports:ordersWithinHour")}</dt>
              <dd>{formatNumber(summary.removalOrders.metWithinOneHour)}</dd>
            </div>
            <div>
              <dt>{t("reports:removed")}</dt>
              <dd>{formatNumber(summary.removals.removed + summary.removals.disabled)}</dd>
            </div>
            <div>
              <dt>{t("reports:complaints")}</dt>
              <dd>{formatNumber(summary.complaints.received)}</dd>
            </div>
            <div>
              <dt>{t("reports:restorations")}</dt>
              <dd>{formatNumber(summary.restorations.total)}</dd>
            </div>
            <div>
              <dt>{t("reports:accuracy")}</dt>
              <dd>
                {summary.automatedTools.accuracy === null
                  ? t("reports:accuracyNone")
                  : t("reports:accuracyValue", {
                      share: percent(summary.automatedTools.accuracy),
                      n: summary.automatedTools.labelledItems,
                    })}
              </dd>
            </div>
          </dl>
          <div class="actions" role="group" aria-label={t("reports:downloadAria")}>
            <button type="button" onClick={() => void download("html")}>
              {t("reports:downloadHtml")}
            </button>
            <button type="button" onClick={() => void download("csv")}>
              {t("reports:downloadCsv")}
            </button>
            <button type="button" onClick={() => void download("json")}>
              {t("reports:downloadJson")}
            </button>
          </div>
        </div>
      )}
    </Panel>
  );
}

function decisionsText(d: Decisions): string {
  return t("reports:hits.decisionsValue", {
    violating: d.violating,
    notViolating: d.not_violating,
    escalate: d.escalate,
  });
}

function SignalHitsView(props: { api: Api; me: Me }) {
  const [days, setDays] = useState(30);
  const [now] = useState(() => Date.now());
  const hits = useLoad(
    () =>
      props.api.get<SignalHits>(
        `/v1/measure/signal-hits${query({ from: new Date(now - days * DAY).toISOString(), to: new Date(now).toISOString() })}`,
      ),
    [days],
  );
  const h = hits.data;
  const bankName = (id: number) => h?.banks.find((b) => b.id === id)?.name ?? String(id);
  return (
    <Panel title={t("reports:hits.title")} id="signal-hits" class="wide">
      <p class="muted">{t("reports:hits.intro", { org: props.me.org.name })}</p>
      <label class="inline">
        {t("reports:hits.period")}
        <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
          {[7, 30, 90, 365].map((d) => (
            <option key={d} value={String(d)}>
              {t("range.30d", { n: d })}
            </option>
          ))}
        </select>
      </label>
      <ErrorBox error={hits.error} />
      {hits.loading && <p class="muted">{t("loading")}</p>}
      {h && h.banks.length === 0 && <p class="muted notice">{t("reports:hits.noBanks")}</p>}
      {h && h.banks.length > 0 && (
        <>
          <ul class="chips" aria-label={t("reports:hits.banks")}>
            {h.banks.map((b) => (
              <li key={b.id} class="chip">
                <Txt value={b.name} /> <TlpBadge tlp={b.tlp} />
              </li>
            ))}
          </ul>
          <dl class="totals">
            <div>
              <dt>{t("reports:hits.items")}</dt>
              <dd data-testid="hits-items">{formatNumber(h.items)}</dd>
            </div>
            <div>
              <dt>{t("reports:hits.members")}</dt>
              <dd>{formatNumber(h.by_member.length)}</dd>
            </div>
            <div>
              <dt>{t("reports:hits.decisions")}</dt>
              <dd>{decisionsText(h.decisions)}</dd>
            </div>
            <div>
              <dt>{t("reports:hits.undecided")}</dt>
              <dd>{formatNumber(h.undecided)}</dd>
            </div>
          </dl>
          <h3>{t("reports:hits.byMember")}</h3>
          <BarList
            items={h.by_member.map((m) => ({ label: m.member, value: m.items }))}
            format={(v) => t("dashboard:unitItems", { value: v })}
            empty={t("reports:hits.none")}
          />
          {h.by_member.length > 0 && (
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t("reports:hits.saidCaption")}>
              <table class="data" data-testid="hits-by-member">
                <caption>{t("reports:hits.saidCaption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("reports:hits.member")}</th>
                    <th scope="col">{t("reports:hits.items")}</th>
                    <th scope="col">{t("reports:hits.violating")}</th>
                    <th scope="col">{t("reports:hits.notViolating")}</th>
                    <th scope="col">{t("reports:hits.escalated")}</th>
                  </tr>
                </thead>
                <tbody>
                  {h.by_member.map((m) => (
                    <tr key={m.member}>
                      <th scope="row">
                        <Txt value={m.member} />
                      </th>
                      <td>{formatNumber(m.items)}</td>
                      <td>{formatNumber(m.decisions.violating)}</td>
                      <td>{formatNumber(m.decisions.not_violating)}</td>
                      <td>{formatNumber(m.decisions.escalate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h3>{t("reports:hits.bySignal")}</h3>
          {h.by_signal.length === 0 ? (
            <p class="muted">{t("reports:hits.none")}</p>
          ) : (
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t("reports:hits.bySignal")}>
              <table class="data" data-testid="hits-by-signal">
                <thead>
                  <tr>
                    <th scope="col">{t("reports:hits.signal")}</th>
                    <th scope="col">{t("reports:hits.bank")}</th>
                    <th scope="col">{t("reports:hits.items")}</th>
                    <th scope="col">{t("reports:hits.members")}</th>
                    <th scope="col">{t("reports:hits.decisions")}</th>
                  </tr>
                </thead>
                <tbody>
                  {h.by_signal.map((s) => (
                    <tr key={s.signal_id}>
                      <th scope="row">
                        <a href={`#/banks/signal/${s.signal_id}`}>{t("reports:hits.signalId", { id: s.signal_id })}</a>
                      </th>
                      <td>
                        <Txt value={bankName(s.bank_id)} />
                      </td>
                      <td>{formatNumber(s.items)}</td>
                      <td>{formatNumber(s.members)}</td>
                      <td>{decisionsText(s.decisions)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="muted small">{t("reports:hits.privacy")}</p>
        </>
      )}
    </Panel>
  );
}
