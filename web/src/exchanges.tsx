/**
 * Exchanges (issue 17): the organisation's feeds from outside — another rasd, an HMA bank, a
 * TAXII collection, ThreatExchange, TCAP, the sample — each fetched into a bank of its own.
 * The screen uses the same API as HMA's clients and the CLI (/c/exchanges…, docs/exchanges.md):
 * it lists each exchange with its bank and fetch status, and a person whose role may change
 * banks (bank.write) creates one (the API's settings drawn from its schema), turns it on or
 * off, fetches it now, edits its settings and deletes it, keeping its bank or not.
 * Credentials are write-only: the form never shows them back, only whether they are set.
 */

import { useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { formatDateTime, formatNumber, t } from "./lib/i18n.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Panel, TlpBadge, Txt, useLoad } from "./ui.js";

/** The JSON schema subset an exchange API's settings and credentials are written in. */
interface FieldSchema {
  readonly type: string;
  readonly description: string;
}
interface ObjectSchema {
  readonly type: "object";
  readonly properties: Readonly<Record<string, FieldSchema>>;
  readonly required: readonly string[];
}
/** GET /c/exchanges/api/<api>/schema */
interface ApiInfo {
  readonly name: string;
  readonly supported: boolean;
  readonly description: string;
  readonly config_schema: ObjectSchema;
  readonly credentials_schema: ObjectSchema | null;
}
/** GET /c/exchange/<name>/status (unix seconds) */
interface FetchStatus {
  readonly running_fetch_start_ts: number | null;
  readonly last_fetch_complete_ts: number | null;
  readonly last_fetch_succeeded: boolean | null;
  readonly up_to_date: boolean;
  readonly fetched_items: number;
  readonly failures: number;
  readonly last_error: string | null;
  readonly next_fetch_ts: number;
}
/** GET /c/exchange/<name> */
interface ExchangeInfo {
  readonly name: string;
  readonly api: string;
  readonly enabled: boolean;
  readonly bank: string;
  readonly tlp: string;
  readonly api_json: Readonly<Record<string, unknown>>;
  readonly has_credentials: boolean;
  readonly status: FetchStatus;
}
interface FetchAnswer {
  readonly report: {
    readonly added: number;
    readonly retracted: number;
    readonly withheld: number;
    readonly skipped: number;
    readonly error: string | null;
  };
  readonly status: FetchStatus;
}

const TLPS = ["AMBER+STRICT", "AMBER", "GREEN", "CLEAR"] as const;
/** Settings and credentials the screen names in the reader's language (others: the API's own words). */
const KNOWN_FIELDS = [
  "url",
  "bank_id",
  "bank",
  "interval_seconds",
  "long_poll",
  "max_gap",
  "collection_url",
  "privacy_group",
  "graph_url",
  "api_key",
  "api_token",
  "username",
  "password",
];

const path = (name: string) => `/c/exchange/${encodeURIComponent(name)}`;
const when = (seconds: number | null) => (seconds ? formatDateTime(seconds * 1000) : "—");

async function loadApis(api: Api): Promise<ApiInfo[]> {
  const names = await api.get<string[]>("/c/exchanges/apis");
  return Promise.all(names.map((n) => api.get<ApiInfo>(`/c/exchanges/api/${encodeURIComponent(n)}/schema`)));
}

async function loadExchanges(api: Api): Promise<ExchangeInfo[]> {
  const names = await api.get<string[]>("/c/exchanges");
  return Promise.all(names.map((n) => api.get<ExchangeInfo>(path(n))));
}

function fieldLabel(name: string): string {
  return KNOWN_FIELDS.includes(name) ? t(`exchanges:field.${name}`) : name;
}

/** Form values (strings, as typed) as the API's JSON: numbers for integers, true/false, null for cleared. */
export function settingsJson(
  schema: ObjectSchema,
  values: Readonly<Record<string, string>>,
  clearEmpty: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    const raw = (values[name] ?? "").trim();
    if (raw === "") {
      if (clearEmpty) out[name] = null;
      continue;
    }
    // A value that is not a number goes as typed: the API's refusal names the field.
    if (field.type === "integer" || field.type === "number")
      out[name] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    else if (field.type === "boolean") out[name] = raw === "true";
    else out[name] = raw;
  }
  return out;
}

function SettingsFields(props: {
  schema: ObjectSchema;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  id: string;
}) {
  const fields = Object.entries(props.schema.properties);
  if (fields.length === 0) return <p class="muted wide">{t("exchanges:noSettings")}</p>;
  const set = (name: string, value: string) => props.onChange({ ...props.values, [name]: value });
  return (
    <>
      {fields.map(([name, field]) => {
        const required = props.schema.required.includes(name);
        const hintId = `${props.id}-${name}-hint`;
        const value = props.values[name] ?? "";
        return (
          <div key={name} class={field.type === "string" ? "field wide" : "field"}>
            <label>
              <span>
                {fieldLabel(name)} <code dir="ltr">{name}</code>
                {required ? ` (${t("exchanges:required")})` : ""}
              </span>
              {field.type === "boolean" ? (
                <select aria-describedby={hintId} value={value} onChange={(e) => set(name, e.currentTarget.value)}>
                  <option value="">{t("exchanges:default")}</option>
                  <option value="true">{t("exchanges:yes")}</option>
                  <option value="false">{t("exchanges:no")}</option>
                </select>
              ) : (
                <input
                  dir="ltr"
                  name={name}
                  aria-describedby={hintId}
                  inputMode={field.type === "integer" ? "numeric" : undefined}
                  type={field.type === "string" && /url/.test(name) ? "url" : "text"}
                  required={required}
                  value={value}
                  onInput={(e) => set(name, e.currentTarget.value)}
                />
              )}
            </label>
            <span class="hint" id={hintId} lang="en" dir="ltr">
              {field.description}
            </span>
          </div>
        );
      })}
    </>
  );
}

/** Credential inputs: always empty (what is stored is never shown), typed as passwords. */
function CredentialFields(props: {
  schema: ObjectSchema;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
}) {
  return (
    <>
      {Object.keys(props.schema.properties).map((name) => (
        <label key={name}>
          <span>
            {fieldLabel(name)} <code dir="ltr">{name}</code>
          </span>
          <input
            dir="ltr"
            type="password"
            autoComplete="new-password"
            name={`credential-${name}`}
            value={props.values[name] ?? ""}
            onInput={(e) => props.onChange({ ...props.values, [name]: e.currentTarget.value })}
          />
        </label>
      ))}
    </>
  );
}

function nonEmpty(values: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ""));
  return Object.keys(out).length ? out : undefined;
}

function CreateForm(props: { api: Api; apis: ApiInfo[]; onCreated: (name: string) => void }) {
  const usable = props.apis.filter((a) => a.supported);
  const [name, setName] = useState("");
  const [apiName, setApiName] = useState(usable[0]?.name ?? "");
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [tlp, setTlp] = useState<string>("AMBER+STRICT");
  const [enabled, setEnabled] = useState(true);
  const [error, setError] = useState<unknown>();
  const chosen = props.apis.find((a) => a.name === apiName);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    const credential_json = chosen.credentials_schema ? nonEmpty(credentials) : undefined;
    try {
      await props.api.post("/c/exchanges", {
        bank: name,
        api: chosen.name,
        api_json: settingsJson(chosen.config_schema, settings, false),
        ...(credential_json ? { credential_json } : {}),
        enabled,
        tlp,
      });
      setError(undefined);
      setName("");
      setSettings({});
      setCredentials({});
      props.onCreated(name);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="add-signal" aria-label={t("exchanges:create")} onSubmit={(e) => void submit(e)}>
      <div class="field">
        <label>
          {t("exchanges:name")}
          <input
            dir="ltr"
            name="name"
            required
            pattern="[A-Z0-9_]+"
            aria-describedby="exchange-name-hint"
            value={name}
            onInput={(e) => setName(e.currentTarget.value.toUpperCase())}
          />
        </label>
        <span class="hint" id="exchange-name-hint">
          {t("exchanges:nameHint")}
        </span>
      </div>
      <label>
        {t("exchanges:api")}
        <select
          value={apiName}
          onChange={(e) => {
            setApiName(e.currentTarget.value);
            setSettings({});
            setCredentials({});
          }}
        >
          {props.apis.map((a) => (
            <option key={a.name} value={a.name} disabled={!a.supported}>
              {a.supported ? a.name : t("exchanges:unsupported", { api: a.name })}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("exchanges:tlp")}
        <select value={tlp} onChange={(e) => setTlp(e.currentTarget.value)}>
          {TLPS.map((m) => (
            <option key={m} value={m}>
              {t("tlp", { tlp: m })}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />{" "}
        {t("exchanges:enabledBox")}
      </label>
      {chosen && (
        <p class="hint wide" lang="en" dir="ltr">
          {chosen.description}
        </p>
      )}
      {chosen && (
        <fieldset class="wide add-signal">
          <legend>{t("exchanges:settings")}</legend>
          <SettingsFields schema={chosen.config_schema} values={settings} onChange={setSettings} id="new" />
        </fieldset>
      )}
      {chosen?.credentials_schema && (
        <fieldset class="wide add-signal">
          <legend>{t("exchanges:credentials")}</legend>
          <p class="hint wide">{t("exchanges:credentialsHint")}</p>
          <CredentialFields schema={chosen.credentials_schema} values={credentials} onChange={setCredentials} />
        </fieldset>
      )}
      <div class="wide actions">
        <button type="submit" class="primary" disabled={!chosen}>
          {t("exchanges:createButton")}
        </button>
      </div>
      <div class="wide">
        <ErrorBox error={error} />
      </div>
    </form>
  );
}

function EditForm(props: { api: Api; info: ApiInfo; exchange: ExchangeInfo; onDone: (saved: boolean) => void }) {
  const x = props.exchange;
  const [settings, setSettings] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.keys(props.info.config_schema.properties)
        .filter((k) => x.api_json[k] !== undefined && x.api_json[k] !== null)
        .map((k) => [k, String(x.api_json[k])]),
    ),
  );
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [clear, setClear] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const typed = nonEmpty(credentials);
    try {
      await props.api.request("PUT", path(x.name), {
        api_json: settingsJson(props.info.config_schema, settings, true),
        ...(clear ? { credential_json: {} } : typed ? { credential_json: typed } : {}),
      });
      props.onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="add-signal" aria-label={t("exchanges:editOf", { name: x.name })} onSubmit={(e) => void submit(e)}>
      <fieldset class="wide add-signal">
        <legend>{t("exchanges:settings")}</legend>
        <SettingsFields schema={props.info.config_schema} values={settings} onChange={setSettings} id={x.name} />
      </fieldset>
      {props.info.credentials_schema && (
        <fieldset class="wide add-signal">
          <legend>{t("exchanges:credentials")}</legend>
          <p class="hint wide">{x.has_credentials ? t("exchanges:credentialsKept") : t("exchanges:credentialsNone")}</p>
          <CredentialFields schema={props.info.credentials_schema} values={credentials} onChange={setCredentials} />
          {x.has_credentials && (
            <label class="check wide">
              <input type="checkbox" checked={clear} onChange={(e) => setClear(e.currentTarget.checked)} />{" "}
              {t("exchanges:clearCredentials")}
            </label>
          )}
        </fieldset>
      )}
      <div class="wide actions">
        <button type="submit" class="primary">
          {t("exchanges:save")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("exchanges:cancel")}
        </button>
      </div>
      <div class="wide">
        <ErrorBox error={error} />
      </div>
    </form>
  );
}

function DeleteForm(props: { api: Api; exchange: ExchangeInfo; onDone: (deleted: boolean) => void }) {
  const [keep, setKeep] = useState(true);
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await props.api.delete(`${path(props.exchange.name)}${keep ? "?keep_bank=1" : ""}`);
      props.onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form
      class="notice"
      aria-label={t("exchanges:deleteOf", { name: props.exchange.name })}
      onSubmit={(e) => void submit(e)}
    >
      <p>{t("exchanges:deleteAsk", { name: props.exchange.name })}</p>
      <label class="check">
        <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.currentTarget.checked)} />{" "}
        {t("exchanges:keepBank", { bank: props.exchange.bank })}
      </label>
      <div class="actions">
        <button type="submit" class="danger">
          {t("exchanges:deleteConfirm")}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          {t("exchanges:cancel")}
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function ExchangeCard(props: {
  api: Api;
  x: ExchangeInfo;
  info: ApiInfo | undefined;
  canWrite: boolean;
  onChanged: (message?: string) => void;
}) {
  const { x } = props;
  const s = x.status;
  const [mode, setMode] = useState<"view" | "edit" | "delete">("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [fetched, setFetched] = useState<string | undefined>();
  const act = async (work: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    try {
      const message = await work();
      setFetched(message);
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fetchNow = () =>
    act(async () => {
      const r = await props.api.post<FetchAnswer>(`${path(x.name)}/fetch`, undefined);
      return r.report.error
        ? t("exchanges:fetchFailed", { error: r.report.error })
        : t("exchanges:fetched", {
            added: r.report.added,
            retracted: r.report.retracted,
            withheld: r.report.withheld,
            skipped: r.report.skipped,
          });
    });
  const toggle = () =>
    act(async () => {
      await props.api.request("PUT", path(x.name), { enabled: !x.enabled });
      return x.enabled ? t("exchanges:disabledNow") : t("exchanges:enabledNow");
    });
  const headId = `exchange-${x.name}`;
  return (
    <li class="panel exchange" aria-labelledby={headId}>
      <h3 id={headId} dir="ltr">
        {x.name}
      </h3>
      <dl class="facts">
        <dt>{t("exchanges:api")}</dt>
        <dd dir="ltr">{x.api}</dd>
        <dt>{t("exchanges:bank")}</dt>
        <dd>
          <Txt value={x.bank} /> <TlpBadge tlp={x.tlp} />
        </dd>
        <dt>{t("exchanges:state")}</dt>
        <dd>{x.enabled ? t("exchanges:enabled") : t("exchanges:disabled")}</dd>
        <dt>{t("exchanges:lastFetch")}</dt>
        <dd>
          {s.running_fetch_start_ts
            ? t("exchanges:running", { at: when(s.running_fetch_start_ts) })
            : s.last_fetch_complete_ts === null
              ? t("exchanges:never")
              : `${when(s.last_fetch_complete_ts)} · ${
                  s.last_fetch_succeeded ? t("exchanges:succeeded") : t("exchanges:failed")
                }`}
        </dd>
        <dt>{t("exchanges:upToDate")}</dt>
        <dd>{s.up_to_date ? t("exchanges:yes") : t("exchanges:no")}</dd>
        <dt>{t("exchanges:items")}</dt>
        <dd>{formatNumber(s.fetched_items)}</dd>
        <dt>{t("exchanges:failures")}</dt>
        <dd>{formatNumber(s.failures)}</dd>
        <dt>{t("exchanges:nextFetch")}</dt>
        <dd>{x.enabled ? when(s.next_fetch_ts) : t("exchanges:notScheduled")}</dd>
        <dt>{t("exchanges:credentials")}</dt>
        <dd>
          {props.info?.credentials_schema
            ? x.has_credentials
              ? t("exchanges:credentialsSet")
              : t("exchanges:credentialsNone")
            : t("exchanges:credentialsNotTaken")}
        </dd>
      </dl>
      {s.last_error && (
        <p class="error">
          {t("exchanges:lastError")} <Txt value={s.last_error} />
        </p>
      )}
      {fetched && (
        <p class="success" role="status">
          {fetched}
        </p>
      )}
      <ErrorBox error={error} />
      {props.canWrite && mode === "view" && (
        <div class="actions">
          <button type="button" class="primary" disabled={busy} onClick={() => void fetchNow()}>
            {t("exchanges:fetchNow")}
          </button>
          <button type="button" disabled={busy} onClick={() => void toggle()}>
            {x.enabled ? t("exchanges:disable") : t("exchanges:enable")}
          </button>
          {props.info && (
            <button type="button" disabled={busy} onClick={() => setMode("edit")}>
              {t("exchanges:edit")}
            </button>
          )}
          <button type="button" class="danger" disabled={busy} onClick={() => setMode("delete")}>
            {t("exchanges:delete")}
          </button>
        </div>
      )}
      {mode === "edit" && props.info && (
        <EditForm
          api={props.api}
          info={props.info}
          exchange={x}
          onDone={(saved) => {
            setMode("view");
            if (saved) {
              setFetched(t("exchanges:saved"));
              props.onChanged();
            }
          }}
        />
      )}
      {mode === "delete" && (
        <DeleteForm
          api={props.api}
          exchange={x}
          onDone={(deleted) => {
            setMode("view");
            if (deleted) props.onChanged(t("exchanges:deleted", { name: x.name }));
          }}
        />
      )}
    </li>
  );
}

export function Exchanges(props: { api: Api; me: Me }) {
  const canWrite = props.me.permissions.includes("bank.write");
  const apis = useLoad(() => loadApis(props.api), []);
  const list = useLoad(() => loadExchanges(props.api), []);
  const [message, setMessage] = useState<string | undefined>();
  const changed = (m?: string) => {
    setMessage(m);
    list.reload();
  };
  return (
    <main id="main" tabIndex={-1}>
      <h1>{t("exchanges:title")}</h1>
      <p class="muted">{t("exchanges:intro")}</p>
      <Panel title={t("exchanges:list")} id="exchange-list">
        <ErrorBox error={list.error ?? apis.error} />
        {message && (
          <p class="success" role="status">
            {message}
          </p>
        )}
        <div class="actions">
          <button type="button" onClick={() => list.reload()}>
            {t("exchanges:refresh")}
          </button>
        </div>
        {!list.data ? (
          !list.error && <p class="muted">{t("loading")}</p>
        ) : list.data.length === 0 ? (
          <p>{t("exchanges:empty")}</p>
        ) : (
          <ul class="exchanges">
            {list.data.map((x) => (
              <ExchangeCard
                key={x.name}
                api={props.api}
                x={x}
                info={apis.data?.find((a) => a.name === x.api)}
                canWrite={canWrite}
                onChanged={changed}
              />
            ))}
          </ul>
        )}
      </Panel>
      {canWrite && apis.data && (
        <Panel title={t("exchanges:create")} id="exchange-create">
          <CreateForm
            api={props.api}
            apis={apis.data}
            onCreated={(name) => changed(t("exchanges:created", { name }))}
          />
        </Panel>
      )}
    </main>
  );
}
