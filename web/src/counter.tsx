/**
 * Counter-messaging (issue 20): the counter-narrative library (list, draft, approve, retire),
 * a redirect tester showing why each item was chosen, and campaign figures with their 95%
 * interval bands and the comparison of two items — beside the measured anti:pro ratio over
 * time. English and Arabic.
 */

import { useState } from "preact/hooks";
import { COUNTER_KINDS, COUNTER_LANGS, NARRATIVES } from "../../src/core/counter.js";
import { TLP_MARKINGS } from "../../src/core/model.js";
import { RatioChart } from "./charts.js";
import type { Api } from "./lib/api.js";
import { ratioSeries } from "./lib/charts.js";
import { formatNumber, formatPercent, t } from "./lib/i18n.js";
import type {
  CampaignFigures,
  CounterComparison,
  CounterFigures,
  CounterItem,
  Me,
  RedirectAnswer,
  StanceMeasurement,
} from "./lib/types.js";
import { ErrorBox, Panel, TlpBadge, Txt, useLoad } from "./ui.js";

const narrativeName = (n: string) => ((NARRATIVES as readonly string[]).includes(n) ? t(`counter:narrative.${n}`) : n);

/** An interval as a band on a 0..max scale, with the estimate as a mark (SVG, no script). */
function Band(props: { value: number; low: number | null; high: number | null; max: number; label: string }) {
  const x = (v: number) => Math.max(0, Math.min(100, (v / (props.max || 1)) * 100));
  return (
    <svg viewBox="0 0 100 10" class="band" role="img" aria-label={props.label} preserveAspectRatio="none">
      {props.low !== null && props.high !== null && (
        <rect
          x={x(props.low)}
          y="2"
          width={Math.max(0.5, x(props.high) - x(props.low))}
          height="6"
          class="band-range"
        />
      )}
      <rect x={Math.max(0, x(props.value) - 0.5)} y="0" width="1" height="10" class="band-mark" />
    </svg>
  );
}

const range = (low: number | null, high: number | null, f: (v: number) => string) =>
  low === null || high === null ? t("counter:unbounded") : t("counter:range", { low: f(low), high: f(high) });

function Library(props: { api: Api; me: Me }) {
  const list = useLoad(() => props.api.get<{ items: CounterItem[] }>("/v1/counter/items"), []);
  const [error, setError] = useState<unknown>();
  const [draft, setDraft] = useState({ kind: "text", title: "", body: "", url: "", lang: "ar", tlp: "AMBER+STRICT" });
  const [narratives, setNarratives] = useState<string[]>([]);
  /** The draft being edited (PATCH), or null: the form drafts a new item. */
  const [editing, setEditing] = useState<number | null>(null);
  const may = (p: string) => props.me.permissions.includes(p);
  const edit = (i: CounterItem) => {
    setEditing(i.id);
    setDraft({ kind: i.kind, title: i.title, body: i.body, url: i.url ?? "", lang: i.lang, tlp: i.tlp });
    setNarratives([...i.narratives]);
    setError(undefined);
  };
  const reset = () => {
    setEditing(null);
    setDraft({ ...draft, title: "", body: "", url: "" });
    setNarratives([]);
  };
  const act = async (id: number, verb: "approve" | "retire") => {
    try {
      await props.api.post(`/v1/counter/items/${id}/${verb}`, {});
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      const fields = {
        kind: draft.kind,
        title: draft.title,
        body: draft.body,
        narratives,
        lang: draft.lang,
        tlp: draft.tlp,
      };
      if (editing !== null)
        await props.api.request("PATCH", `/v1/counter/items/${editing}`, { ...fields, url: draft.url });
      else await props.api.post("/v1/counter/items", { ...fields, ...(draft.url ? { url: draft.url } : {}) });
      reset();
      setError(undefined);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <Panel title={t("counter:library")} id="library" class="wide">
      <ErrorBox error={list.error ?? error} />
      {items.length === 0 ? (
        <p class="muted">{list.loading ? t("loading") : t("counter:empty")}</p>
      ) : (
        <table data-testid="counter-items">
          <thead>
            <tr>
              <th>{t("counter:col.title")}</th>
              <th>{t("counter:col.lang")}</th>
              <th>{t("counter:col.narratives")}</th>
              <th>{t("counter:col.status")}</th>
              <th>{t("counter:col.tlp")}</th>
              <th>{t("counter:col.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-item={i.id}>
                <td>
                  <Txt value={i.title} />
                </td>
                <td>{t(`counter:lang.${i.lang}`)}</td>
                <td>{i.narratives.map(narrativeName).join(t("counter:listSep"))}</td>
                <td data-testid="status">{t(`counter:status.${i.status}`)}</td>
                <td>
                  <TlpBadge tlp={i.tlp} />
                </td>
                <td>
                  {may("counter.write") && i.orgId === props.me.org.id && i.status === "draft" && (
                    <button
                      type="button"
                      onClick={() => edit(i)}
                      aria-label={t("counter:editItem", { title: i.title })}
                    >
                      {t("counter:edit")}
                    </button>
                  )}
                  {may("counter.approve") && i.orgId === props.me.org.id && i.status === "draft" && (
                    <button type="button" onClick={() => void act(i.id, "approve")}>
                      {t("counter:approve")}
                    </button>
                  )}
                  {may("counter.approve") && i.orgId === props.me.org.id && i.status !== "retired" && (
                    <button type="button" onClick={() => void act(i.id, "retire")}>
                      {t("counter:retire")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {may("counter.write") && (
        <form onSubmit={(e) => void add(e)} class="stack" aria-labelledby="add-h">
          <h3 id="add-h">
            {editing !== null ? t("counter:editTitle", { id: formatNumber(editing) }) : t("counter:add")}
          </h3>
          <label>
            {t("counter:field.kind")}
            <select value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value })}>
              {COUNTER_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`counter:kind.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("counter:field.title")}
            <input required value={draft.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
          </label>
          <label>
            {t("counter:field.body")}
            <textarea value={draft.body} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
          </label>
          <label>
            {t("counter:field.url")}
            <input
              type="url"
              dir="ltr"
              value={draft.url}
              onInput={(e) => setDraft({ ...draft, url: e.currentTarget.value })}
            />
          </label>
          <fieldset>
            <legend>{t("counter:field.narratives")}</legend>
            {NARRATIVES.map((n) => (
              <label key={n} class="check">
                <input
                  type="checkbox"
                  checked={narratives.includes(n)}
                  onChange={(e) =>
                    setNarratives(e.currentTarget.checked ? [...narratives, n] : narratives.filter((x) => x !== n))
                  }
                />
                {narrativeName(n)}
              </label>
            ))}
          </fieldset>
          <label>
            {t("counter:field.lang")}
            <select value={draft.lang} onChange={(e) => setDraft({ ...draft, lang: e.currentTarget.value })}>
              {COUNTER_LANGS.map((l) => (
                <option key={l} value={l}>
                  {t(`counter:lang.${l}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("counter:field.tlp")}
            <select value={draft.tlp} onChange={(e) => setDraft({ ...draft, tlp: e.currentTarget.value })}>
              {TLP_MARKINGS.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{editing !== null ? t("counter:saveEdit") : t("counter:addButton")}</button>
          {editing !== null && (
            <button type="button" onClick={reset}>
              {t("counter:cancelEdit")}
            </button>
          )}
        </form>
      )}
    </Panel>
  );
}

interface Keyword {
  id: number;
  orgId: number;
  narrative: string;
  phrase: string;
  normalized: string;
}

/**
 * The keyword sets of each narrative (every member's; the caller's own can be removed): each phrase
 * beside its Arabic-normalised form, which is what a query is matched on (as the API curates them).
 */
function Keywords(props: { api: Api; me: Me }) {
  const list = useLoad(() => props.api.get<{ keywords: Keyword[] }>("/v1/counter/keywords"), []);
  const [error, setError] = useState<unknown>();
  const [narrative, setNarrative] = useState<string>(NARRATIVES[0]);
  const [phrases, setPhrases] = useState("");
  const mayEdit = props.me.permissions.includes("counter.write");
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await props.api.post("/v1/counter/keywords", {
        narrative,
        phrases: phrases
          .split("\n")
          .map((p) => p.trim())
          .filter((p) => p !== ""),
      });
      setPhrases("");
      setError(undefined);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id: number) => {
    try {
      await props.api.request("DELETE", `/v1/counter/keywords/${id}`);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const keywords = list.data?.keywords ?? [];
  return (
    <Panel title={t("counter:keywords")} id="keywords" class="wide">
      <p class="muted">{t("counter:keywordsIntro")}</p>
      <ErrorBox error={list.error ?? error} />
      <table data-testid="counter-keywords">
        <thead>
          <tr>
            <th scope="col">{t("counter:col.narrative")}</th>
            <th scope="col">{t("counter:col.phrases")}</th>
          </tr>
        </thead>
        <tbody>
          {NARRATIVES.map((n) => {
            const mine = keywords.filter((k) => k.narrative === n);
            return (
              <tr key={n} data-narrative={n}>
                <th scope="row">{narrativeName(n)}</th>
                <td>
                  {mine.length === 0 ? (
                    <span class="muted">{t("counter:noKeywords")}</span>
                  ) : (
                    <ul class="keywords">
                      {mine.map((k) => (
                        <li key={k.id} data-keyword={k.id}>
                          <bdi>{k.phrase}</bdi>
                          {k.normalized !== k.phrase && (
                            <span class="muted">
                              {" "}
                              {t("counter:matchedAs")} <bdi data-testid="normalized">{k.normalized}</bdi>
                            </span>
                          )}
                          {mayEdit && k.orgId === props.me.org.id && (
                            <button
                              type="button"
                              onClick={() => void remove(k.id)}
                              aria-label={t("counter:removeKeyword", { phrase: k.phrase })}
                            >
                              {t("counter:remove")}
                            </button>
                          )}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {mayEdit && (
        <form onSubmit={(e) => void add(e)} class="stack" aria-labelledby="kw-h">
          <h3 id="kw-h">{t("counter:addKeywords")}</h3>
          <label for="kw-narrative">{t("counter:col.narrative")}</label>
          <select id="kw-narrative" value={narrative} onChange={(e) => setNarrative(e.currentTarget.value)}>
            {NARRATIVES.map((n) => (
              <option key={n} value={n}>
                {narrativeName(n)}
              </option>
            ))}
          </select>
          <label>
            {t("counter:field.phrases")}
            <textarea required value={phrases} onInput={(e) => setPhrases(e.currentTarget.value)} />
          </label>
          <button type="submit">{t("counter:addKeywordsButton")}</button>
        </form>
      )}
    </Panel>
  );
}

function Tester(props: { api: Api }) {
  const [query, setQuery] = useState("");
  const [lang, setLang] = useState("");
  const [answer, setAnswer] = useState<RedirectAnswer>();
  const [error, setError] = useState<unknown>();
  const run = async (e: Event) => {
    e.preventDefault();
    try {
      setAnswer(await props.api.post<RedirectAnswer>("/v1/redirect", { query, ...(lang ? { lang } : {}) }));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Panel title={t("counter:tester")} id="tester">
      <form onSubmit={(e) => void run(e)} class="stack">
        <label>
          {t("counter:query")}
          <input required value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          {t("counter:field.lang")}
          <select value={lang} onChange={(e) => setLang(e.currentTarget.value)}>
            <option value="">{t("counter:lang.auto")}</option>
            {COUNTER_LANGS.map((l) => (
              <option key={l} value={l}>
                {t(`counter:lang.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t("counter:try")}</button>
      </form>
      <ErrorBox error={error} />
      {answer && (
        <div data-testid="redirect-answer">
          <h3>{t("counter:reasons")}</h3>
          {answer.reasons.length === 0 ? (
            <p class="muted">{t("counter:noReasons")}</p>
          ) : (
            <ul>
              {answer.reasons.map((r, i) => (
                <li key={i}>
                  {t("counter:reason", {
                    source: t(`counter:source.${r.source}`),
                    narrative: r.narrative ? narrativeName(r.narrative) : t("counter:noNarrative"),
                    weight: formatNumber(r.weight, { maximumFractionDigits: 2 }),
                  })}{" "}
                  <Txt value={r.detail} />
                </li>
              ))}
            </ul>
          )}
          <h3>{t("counter:served")}</h3>
          {answer.items.length === 0 ? (
            <p class="muted">{t("counter:nothingServed")}</p>
          ) : (
            <ol>
              {answer.items.map((x) => (
                <li key={x.item.id}>
                  <Txt value={x.item.title} /> —{" "}
                  {t("counter:servedFor", {
                    narrative: narrativeName(x.narrative),
                    score: formatNumber(x.score, { maximumFractionDigits: 2 }),
                  })}
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </Panel>
  );
}

function FiguresTable(props: { rows: CampaignFigures[]; by: string; busy: boolean }) {
  const maxCtr = Math.max(0.01, ...props.rows.map((r) => r.ctr.high ?? r.ctr.rate));
  const maxWatch = Math.max(1, ...props.rows.map((r) => r.meanWatch.high ?? r.meanWatch.mean));
  const key = (k: string) =>
    props.by === "narrative" ? narrativeName(k) : props.by === "lang" ? t(`counter:lang.${k}`) : k;
  const seconds = (v: number) => t("counter:seconds", { value: formatNumber(v, { maximumFractionDigits: 1 }) });
  return (
    <table data-testid="counter-figures" data-by={props.by} aria-busy={props.busy}>
      <thead>
        <tr>
          <th>{t(`counter:by.${props.by}`)}</th>
          <th>{t("counter:col.impressions")}</th>
          <th>{t("counter:col.clicks")}</th>
          <th>{t("counter:col.ctr")}</th>
          <th>{t("counter:col.views")}</th>
          <th>{t("counter:col.watch")}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.key}>
            <td>
              <Txt value={key(r.key)} />
            </td>
            <td>{formatNumber(r.impressions)}</td>
            <td>{formatNumber(r.clicks)}</td>
            <td>
              {formatPercent(r.ctr.rate)} ({range(r.ctr.low, r.ctr.high, (v) => formatPercent(v))})
              <Band value={r.ctr.rate} low={r.ctr.low} high={r.ctr.high} max={maxCtr} label={t("counter:ctrBand")} />
            </td>
            <td>{formatNumber(r.views)}</td>
            <td>
              {seconds(r.meanWatch.mean)} ({range(r.meanWatch.low, r.meanWatch.high, seconds)})
              <Band
                value={r.meanWatch.mean}
                low={r.meanWatch.low}
                high={r.meanWatch.high}
                max={maxWatch}
                label={t("counter:watchBand")}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Figures(props: { api: Api }) {
  const [by, setBy] = useState("item");
  // The table takes its grouping from the answer, never one grouping's rows under another's heading.
  const figures = useLoad(() => props.api.get<CounterFigures>(`/v1/measure/counter?by=${by}&interval=week`), [by]);
  const stance = useLoad(() => props.api.get<StanceMeasurement>("/v1/measure/stance?interval=week"), []);
  const [pair, setPair] = useState({ a: "", b: "" });
  const [comparison, setComparison] = useState<CounterComparison>();
  const [error, setError] = useState<unknown>();
  const compare = async (e: Event) => {
    e.preventDefault();
    try {
      setComparison(await props.api.get<CounterComparison>(`/v1/measure/counter/compare?a=${pair.a}&b=${pair.b}`));
      setError(undefined);
    } catch (err) {
      setError(err);
    }
  };
  const ratio = stance.data ? ratioSeries(stance.data.periods) : undefined;
  const p = (v: number) => formatNumber(v, { maximumSignificantDigits: 2 });
  return (
    <>
      <Panel title={t("counter:figures")} id="figures" class="wide">
        <label>
          {t("counter:groupBy")}
          <select value={by} onChange={(e) => setBy(e.currentTarget.value)}>
            {["item", "narrative", "lang", "period"].map((b) => (
              <option key={b} value={b}>
                {t(`counter:by.${b}`)}
              </option>
            ))}
          </select>
        </label>
        <ErrorBox error={figures.error} />
        {figures.data && figures.data.rows.length > 0 ? (
          <FiguresTable rows={figures.data.rows} by={figures.data.by} busy={figures.loading} />
        ) : (
          <p class="muted">{figures.loading ? t("loading") : t("counter:noFigures")}</p>
        )}
        <p class="muted">{t("counter:methods")}</p>
        <form onSubmit={(e) => void compare(e)} class="inline" aria-labelledby="cmp-h">
          <h3 id="cmp-h">{t("counter:compare")}</h3>
          <label>
            {t("counter:itemA")}
            <input
              required
              inputMode="numeric"
              value={pair.a}
              onInput={(e) => setPair({ ...pair, a: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("counter:itemB")}
            <input
              required
              inputMode="numeric"
              value={pair.b}
              onInput={(e) => setPair({ ...pair, b: e.currentTarget.value })}
            />
          </label>
          <button type="submit">{t("counter:compareButton")}</button>
        </form>
        <ErrorBox error={error} />
        {comparison && (
          <div data-testid="comparison">
            <p>
              {t(comparison.ctr.significant ? "counter:ctrDiffers" : "counter:ctrSame", {
                difference: formatPercent(comparison.ctr.difference),
                range: range(comparison.ctr.low, comparison.ctr.high, (v) => formatPercent(v)),
                p: p(comparison.ctr.pValue),
              })}
            </p>
            <p>
              {t(comparison.watch.significant ? "counter:watchDiffers" : "counter:watchSame", {
                difference: formatNumber(comparison.watch.difference, { maximumFractionDigits: 1 }),
                range: range(comparison.watch.low, comparison.watch.high, (v) =>
                  formatNumber(v, { maximumFractionDigits: 1 }),
                ),
                p: p(comparison.watch.pValue),
              })}
            </p>
          </div>
        )}
      </Panel>
      <Panel title={t("counter:ratio")} id="counter-ratio" class="wide">
        <ErrorBox error={stance.error} />
        {ratio?.any ? <RatioChart data={ratio.data} /> : <p class="muted">{t("counter:noRatio")}</p>}
      </Panel>
    </>
  );
}

export function Counter(props: { api: Api; me: Me }) {
  const may = (p: string) => props.me.permissions.includes(p);
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t("counter:title")}</h1>
      <p class="muted">{t("counter:intro")}</p>
      <div class="grid">
        <Library api={props.api} me={props.me} />
        <Keywords api={props.api} me={props.me} />
        {may("counter.redirect") && <Tester api={props.api} />}
        {may("measure.read") && <Figures api={props.api} />}
      </div>
    </main>
  );
}
