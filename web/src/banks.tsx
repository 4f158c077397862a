/**
 * Banks: search the banks you may see by value (hash, URL, text — near-copies included),
 * type and label; view a signal with its opinions and history; add signals to your
 * organisation's banks, retract them, and give your organisation's opinion.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, query, type Api } from "./lib/api.js";
import { formatDateTime, formatPercent, t } from "./lib/i18n.js";
import { BEHAVIOURS } from "./lib/taxonomy.js";
import type { Bank, FoundSignalView, Me, SignalDetail } from "./lib/types.js";
import { ErrorBox, LabelChips, Panel, TlpBadge, Txt, useLoad } from "./ui.js";
import { AccountCard, accountSummary } from "./accounts.js";

const TYPES = ["pdq", "md5", "sha256", "video_md5", "vpdq", "url", "url_md5", "domain", "text", "account"] as const;
const OPINIONS = ["confirm", "dispute", "false-positive", "saw-it-too"] as const;

export function Banks(props: { api: Api; me: Me; signalId?: number; go: (hash: string) => void }) {
  const banks = useLoad(() => props.api.get<{ banks: Bank[] }>("/v1/banks"), []);
  const [form, setForm] = useState({ q: "", type: "", label: "", bank: "" });
  /** An input or select's handler that sets one field of the search form. */
  const field =
    (name: keyof typeof form) =>
    (e: { currentTarget: { value: string } }): void => {
      const v = e.currentTarget.value;
      setForm((f) => ({ ...f, [name]: v }));
    };
  const [search, setSearch] = useState({ q: "", type: "", label: "", bank: "" });
  const [tick, setTick] = useState(0);
  const results = useLoad(
    () =>
      props.api.get<{ signals: FoundSignalView[]; truncated: boolean }>(
        `/v1/signals${query({ q: search.q, type: search.type, label: search.label, bank_id: search.bank, limit: 100 })}`,
      ),
    [search, tick],
  );
  const canWrite = props.me.permissions.includes("signal.write");
  const own = (banks.data?.banks ?? []).filter((b) => b.org_id === props.me.org.id);

  return (
    <main id="main" class="banks">
      <h1>{t("banks:title")}</h1>
      <div class="banks-layout">
        <Panel title={t("banks:list")} id="bank-list" class="bank-list">
          <ErrorBox error={banks.error} />
          <ul>
            {(banks.data?.banks ?? []).map((b) => (
              <li key={b.id}>
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    const f = { q: "", type: "", label: "", bank: String(b.id) };
                    setForm(f);
                    setSearch(f);
                  }}
                >
                  {b.name}
                </button>{" "}
                <TlpBadge tlp={b.tlp} />
                {b.negative && <span class="badge">{t("banks:allowList")}</span>}
                <br />
                <Txt value={b.description} class="muted small" />
              </li>
            ))}
          </ul>
        </Panel>
        <div class="bank-main">
          <form
            role="search"
            class="search"
            aria-label={t("banks:searchAria")}
            onSubmit={(e) => {
              e.preventDefault();
              setSearch({ ...form });
            }}
          >
            <label class="grow">
              {t("banks:q")}
              <input name="q" dir="auto" value={form.q} onInput={field("q")} />
            </label>
            <label>
              {t("banks:type")}
              <select name="type" value={form.type} onChange={field("type")}>
                <option value="">{t("banks:any")}</option>
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("banks:label")}
              <input
                name="label"
                class="short"
                value={form.label}
                placeholder={t("banks:labelPlaceholder")}
                onInput={field("label")}
              />
            </label>
            <label>
              {t("banks:bank")}
              <select name="bank" value={form.bank} onChange={field("bank")}>
                <option value="">{t("banks:all")}</option>
                {(banks.data?.banks ?? []).map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              {t("banks:search")}
            </button>
          </form>
          {results.error instanceof ApiError && results.error.status === 400 ? (
            <p class="error" role="alert">
              {t("banks:badQuery", { reason: results.error.message })}
            </p>
          ) : (
            <ErrorBox error={results.error} />
          )}
          <Panel
            title={
              results.data
                ? t(results.data.truncated ? "banks:signalsMore" : "banks:signalsCount", {
                    count: results.data.signals.length,
                  })
                : t("banks:signals")
            }
            id="results"
          >
            {results.data?.signals.length === 0 && <p class="muted">{t("banks:noMatch")}</p>}
            <ul class="results">
              {(results.data?.signals ?? []).map((sig) => (
                <li key={sig.id} class={sig.status === "retracted" ? "retracted" : ""}>
                  <button
                    type="button"
                    class="result"
                    aria-current={props.signalId === sig.id ? "true" : undefined}
                    onClick={() => props.go(`#/banks/signal/${sig.id}`)}
                  >
                    <span class="badge">{sig.type}</span> <span class="muted">{sig.bank_name}</span>
                    {sig.similarity !== undefined && (
                      <span class="muted"> · {t("banks:similarity", { s: formatPercent(sig.similarity, 0) })}</span>
                    )}
                    {sig.distance !== undefined && (
                      <span class="muted"> · {t("banks:distance", { d: sig.distance })}</span>
                    )}
                    <Txt
                      value={
                        (sig.type === "account" ? accountSummary(sig.value) : undefined) ??
                        (sig.value.length > 200 ? `${sig.value.slice(0, 200)}…` : sig.value)
                      }
                      block
                      class="signal-value"
                    />
                  </button>
                  <LabelChips labels={sig.labels} />
                </li>
              ))}
            </ul>
          </Panel>
          {props.signalId !== undefined && (
            <SignalPanel
              key={props.signalId}
              api={props.api}
              me={props.me}
              id={props.signalId}
              canWrite={canWrite}
              onChanged={() => setTick((t) => t + 1)}
            />
          )}
          {canWrite && own.length > 0 && (
            <AddSignal api={props.api} banks={own} onAdded={() => setTick((t) => t + 1)} />
          )}
        </div>
      </div>
    </main>
  );
}

function SignalPanel(props: { api: Api; me: Me; id: number; canWrite: boolean; onChanged: () => void }) {
  const detail = useLoad(() => props.api.get<SignalDetail>(`/v1/signals/${props.id}/opinions`), [props.id]);
  const [kind, setKind] = useState<string>("confirm");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const d = detail.data;
  // The detail opens below the results: bring it into view and give it focus, once loaded.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!d) return;
    const h = box.current?.querySelector<HTMLElement>("h2");
    if (!h) return;
    h.tabIndex = -1;
    h.scrollIntoView({ block: "start" });
    h.focus({ preventScroll: true });
  }, [d !== undefined]);
  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await f();
      setMessage(done);
      detail.reload();
      props.onChanged();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div ref={box}>
      <Panel title={t("banks:signal", { id: props.id })} id="signal">
        <ErrorBox error={detail.error} />
        {d && (
          <>
            {d.signal.type === "account" ? (
              <AccountCard api={props.api} value={d.signal.value} />
            ) : (
              <Txt value={d.signal.value} block class="signal-value big" />
            )}
            <dl class="facts">
              <div>
                <dt>{t("banks:facts.type")}</dt>
                <dd>{d.signal.type}</dd>
              </div>
              <div>
                <dt>{t("banks:facts.bank")}</dt>
                <dd>
                  {t("banks:bankOf", { bank: d.bank.name, org: d.bank.org_name })} <TlpBadge tlp={d.bank.tlp} />
                </dd>
              </div>
              <div>
                <dt>{t("banks:facts.status")}</dt>
                <dd>
                  {["active", "retracted"].includes(d.signal.status)
                    ? t(`banks:status.${d.signal.status}`)
                    : d.signal.status}
                </dd>
              </div>
              <div>
                <dt>{t("banks:facts.confidence")}</dt>
                <dd>{d.signal.confidence}</dd>
              </div>
              <div>
                <dt>{t("banks:facts.source")}</dt>
                <dd>
                  <Txt value={d.signal.source || "—"} />
                </dd>
              </div>
            </dl>
            <LabelChips labels={d.signal.labels} />
            <h3>{t("banks:opinions")}</h3>
            {d.opinions.length === 0 ? (
              <p class="muted">{t("banks:noOpinions")}</p>
            ) : (
              <ul class="opinions">
                {d.opinions.map((o) => (
                  <li key={o.org_id}>
                    <strong>{o.org_name}</strong>: {opinionName(o.kind)}{" "}
                    {o.note && (
                      <>
                        — <Txt value={o.note} />
                      </>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {d.foreign_opinions.length > 0 && (
              <>
                <h3>{t("banks:foreignOpinions")}</h3>
                <p class="muted">{t("banks:foreignOpinionsNote")}</p>
                <ul class="opinions foreign-opinions">
                  {d.foreign_opinions.map((o, i) => (
                    <li key={i}>
                      <strong>{o.org_name ?? t("banks:foreignUnnamed")}</strong> <Txt value={`(${o.from})`} />:{" "}
                      {opinionName(o.kind)}{" "}
                      {o.note && (
                        <>
                          — <Txt value={o.note} />
                        </>
                      )}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <h3>{t("banks:history")}</h3>
            <ol class="history">
              {d.history.map((h, i) => (
                <li key={i}>
                  {h.at !== null && <time dateTime={h.at}>{formatDateTime(h.at)}</time>} {eventName(h.event)}
                  {h.by ? (
                    <>
                      {" "}
                      — <Txt value={h.by} />
                    </>
                  ) : null}
                </li>
              ))}
            </ol>
            {message && (
              <p class="success" role="status">
                {message}
              </p>
            )}
            <ErrorBox error={error} />
            {props.canWrite && (
              <div class="signal-actions">
                <form
                  class="inline-form"
                  aria-label={t("banks:opinionAria")}
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(
                      () => props.api.post(`/v1/signals/${props.id}/opinions`, { kind, note }),
                      t("banks:opinionDone"),
                    );
                  }}
                >
                  <label>
                    {t("banks:yourOpinion")}
                    <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
                      {OPINIONS.map((o) => (
                        <option key={o} value={o}>
                          {opinionName(o)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="grow">
                    {t("banks:note")}
                    <input dir="auto" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                  </label>
                  <button type="submit">{t("banks:give")}</button>
                </form>
                {d.bank.org_id === props.me.org.id && d.signal.status === "active" && (
                  <button
                    type="button"
                    class="danger"
                    onClick={() => {
                      if (window.confirm(t("banks:retractConfirm")))
                        void act(() => props.api.delete(`/v1/signals/${props.id}`), t("banks:retracted"));
                    }}
                  >
                    {t("banks:retract")}
                  </button>
                )}
              </div>
            )}
          </>
        )}
      </Panel>
    </div>
  );
}

/** The server's history events in the locale (an audit action it does not name is shown as it is). */
const EVENTS: Record<string, string> = {
  "first seen": "firstSeen",
  "added to the bank": "added",
  "last seen": "lastSeen",
  retracted: "retracted",
};
function eventName(event: string): string {
  if (event.startsWith("opinion: ")) return t("banks:event.opinion", { kind: opinionName(event.slice(9)) });
  return EVENTS[event] ? t(`banks:event.${EVENTS[event]}`) : event;
}

function opinionName(kind: string): string {
  return (OPINIONS as readonly string[]).includes(kind) ? t(`banks:opinion.${kind}`) : kind;
}

function AddSignal(props: { api: Api; banks: Bank[]; onAdded: () => void }) {
  const [bank, setBank] = useState(String(props.banks[0]?.id ?? ""));
  const [type, setType] = useState("text");
  const [value, setValue] = useState("");
  const [entity, setEntity] = useState("isis");
  const [behaviour, setBehaviour] = useState<string[]>([]);
  const [language, setLanguage] = useState("");
  const [error, setError] = useState<unknown>();
  const [message, setMessage] = useState<string>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setMessage(undefined);
    try {
      const r = await props.api.post<{ created: number; updated: number; rejected: { message: string }[] }>(
        `/v1/banks/${bank}/signals`,
        {
          signals: [
            {
              type,
              value,
              labels: {
                entity: entity.split(/[\s,]+/).filter(Boolean),
                behaviour,
                language: language.split(/[\s,]+/).filter(Boolean),
              },
            },
          ],
        },
      );
      if (r.rejected.length) throw new Error(r.rejected[0]!.message);
      setMessage(r.created ? t("banks:added") : t("banks:refreshed"));
      setValue("");
      props.onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Panel title={t("banks:add")} id="add">
      <form class="add-signal" aria-label={t("banks:add")} onSubmit={(e) => void submit(e)}>
        <label>
          {t("banks:bank")}
          <select value={bank} onChange={(e) => setBank(e.currentTarget.value)}>
            {props.banks.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("banks:type")}
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          {t("banks:value")}
          <textarea
            name="value"
            dir="auto"
            rows={2}
            required
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </label>
        <label>
          {t("banks:entity")}
          <input value={entity} onInput={(e) => setEntity(e.currentTarget.value)} />
        </label>
        <label>
          {t("banks:language")}
          <input
            class="short"
            value={language}
            placeholder="ar, en"
            onInput={(e) => setLanguage(e.currentTarget.value)}
          />
        </label>
        <fieldset class="wide">
          <legend>{t("banks:behaviour")}</legend>
          {BEHAVIOURS.map((b) => (
            <label key={b} class="check">
              <input
                type="checkbox"
                checked={behaviour.includes(b)}
                onChange={() => setBehaviour((x) => (x.includes(b) ? x.filter((y) => y !== b) : [...x, b]))}
              />{" "}
              {b}
            </label>
          ))}
        </fieldset>
        {message && (
          <p class="success wide" role="status">
            {message}
          </p>
        )}
        <ErrorBox error={error} />
        <button type="submit" class="primary">
          {t("banks:addButton")}
        </button>
      </form>
    </Panel>
  );
}
