/**
 * Banks: search the banks you may see by value (hash, URL, text — near-copies included),
 * type and label; view a signal with its opinions and history; add signals to your
 * organisation's banks, retract them, and give your organisation's opinion.
 */

import { useState } from "preact/hooks";
import { query, type Api } from "./lib/api.js";
import { BEHAVIOURS } from "./lib/taxonomy.js";
import type { Bank, FoundSignalView, Me, SignalDetail } from "./lib/types.js";
import { ErrorBox, LabelChips, Panel, Txt, useLoad } from "./ui.js";

const TYPES = ["pdq", "md5", "sha256", "video_md5", "vpdq", "url", "domain", "text"] as const;
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
      <h1>Banks</h1>
      <div class="banks-layout">
        <Panel title="Banks you may see" id="bank-list" class="bank-list">
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
                <span class="badge tlp">TLP:{b.tlp}</span>
                {b.negative && <span class="badge">allow-list</span>}
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
            aria-label="Search signals"
            onSubmit={(e) => {
              e.preventDefault();
              setSearch({ ...form });
            }}
          >
            <label class="grow">
              Hash, URL or text
              <input name="q" dir="auto" value={form.q} onInput={field("q")} />
            </label>
            <label>
              Type
              <select name="type" value={form.type} onChange={field("type")}>
                <option value="">any</option>
                {TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Label
              <input
                name="label"
                class="short"
                value={form.label}
                placeholder="isis, recruitment, ar…"
                onInput={field("label")}
              />
            </label>
            <label>
              Bank
              <select name="bank" value={form.bank} onChange={field("bank")}>
                <option value="">all</option>
                {(banks.data?.banks ?? []).map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary">
              Search
            </button>
          </form>
          <ErrorBox error={results.error} />
          <Panel
            title={`Signals${results.data ? ` (${results.data.signals.length}${results.data.truncated ? "+" : ""})` : ""}`}
            id="results"
          >
            {results.data?.signals.length === 0 && <p class="muted">No signal matches.</p>}
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
                      <span class="muted"> · similarity {(sig.similarity * 100).toFixed(0)}%</span>
                    )}
                    {sig.distance !== undefined && <span class="muted"> · distance {sig.distance}</span>}
                    <Txt
                      value={sig.value.length > 200 ? `${sig.value.slice(0, 200)}…` : sig.value}
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
    <Panel title={`Signal #${props.id}`} id="signal">
      <ErrorBox error={detail.error} />
      {d && (
        <>
          <Txt value={d.signal.value} block class="signal-value big" />
          <dl class="facts">
            <div>
              <dt>Type</dt>
              <dd>{d.signal.type}</dd>
            </div>
            <div>
              <dt>Bank</dt>
              <dd>
                {d.bank.name} ({d.bank.org_name}, TLP:{d.bank.tlp})
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{d.signal.status}</dd>
            </div>
            <div>
              <dt>Confidence</dt>
              <dd>{d.signal.confidence}</dd>
            </div>
            <div>
              <dt>Source</dt>
              <dd>
                <Txt value={d.signal.source || "—"} />
              </dd>
            </div>
          </dl>
          <LabelChips labels={d.signal.labels} />
          <h3>Opinions</h3>
          {d.opinions.length === 0 ? (
            <p class="muted">No opinions yet.</p>
          ) : (
            <ul class="opinions">
              {d.opinions.map((o) => (
                <li key={o.org_id}>
                  <strong>{o.org_name}</strong>: {o.kind}{" "}
                  {o.note && (
                    <>
                      — <Txt value={o.note} />
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          <h3>History</h3>
          <ol class="history">
            {d.history.map((h, i) => (
              <li key={i}>
                {h.at !== null && <time dateTime={h.at}>{h.at.replace("T", " ").slice(0, 16)}</time>} {h.event}
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
                aria-label="Give an opinion"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(
                    () => props.api.post(`/v1/signals/${props.id}/opinions`, { kind, note }),
                    "Opinion recorded.",
                  );
                }}
              >
                <label>
                  Your organisation's opinion
                  <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
                    {OPINIONS.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                </label>
                <label class="grow">
                  Note
                  <input dir="auto" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                </label>
                <button type="submit">Give opinion</button>
              </form>
              {d.bank.org_id === props.me.org.id && d.signal.status === "active" && (
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    if (window.confirm("Retract this signal? Mirrors will be told."))
                      void act(() => props.api.delete(`/v1/signals/${props.id}`), "Signal retracted.");
                  }}
                >
                  Retract signal
                </button>
              )}
            </div>
          )}
        </>
      )}
    </Panel>
  );
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
      setMessage(r.created ? "Signal added." : "The signal was there already; it was refreshed.");
      setValue("");
      props.onAdded();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Panel title="Add a signal" id="add">
      <form class="add-signal" aria-label="Add a signal" onSubmit={(e) => void submit(e)}>
        <label>
          Bank
          <select value={bank} onChange={(e) => setBank(e.currentTarget.value)}>
            {props.banks.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          Value
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
          Entity
          <input value={entity} onInput={(e) => setEntity(e.currentTarget.value)} />
        </label>
        <label>
          Language
          <input
            class="short"
            value={language}
            placeholder="ar, en"
            onInput={(e) => setLanguage(e.currentTarget.value)}
          />
        </label>
        <fieldset class="wide">
          <legend>Behaviour</legend>
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
          Add signal
        </button>
      </form>
    </Panel>
  );
}
