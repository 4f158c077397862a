/**
 * The platform engineer's screen, under the same permissions as the API: action rules
 * (rule.read; changed with rule.write), webhooks with their secret shown once and rotation,
 * deliveries with their status, dead letters and redelivery (action.redeliver), a "match" page
 * that hashes an uploaded file or the media at a URL and shows what it matches, as HMA's UI
 * does (match.lookup), and submitting content (content.submit). The API's reference is /docs.
 */

import { useState } from "preact/hooks";
import "../admin.css";
import { SIGNAL_TYPES } from "../../src/core/model.js";
import { STANCES } from "../../src/core/stance.js";
import type {
  ActionView,
  BankView,
  ContentItemView,
  HmaHashes,
  HmaLookupResult,
  MatchResponse,
  RotatedSecretView,
  RuleView,
  RuleWithSecretsView,
  SubmittedView,
  WebhookEndpointView,
} from "../../src/http/schemas/index.js";
import { Done, NumberField, SecretOnce, SectionNav, TableWrap, useAct, When } from "./admin-ui.js";
import { query, type Api } from "./lib/api.js";
import { formatNumber, formatPercent, t } from "./lib/i18n.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Panel, Txt, useLoad } from "./ui.js";

const SECTIONS = [
  { id: "rules", permission: "rule.read" },
  { id: "webhooks", permission: "rule.read" },
  { id: "deliveries", permission: "rule.read" },
  { id: "match", permission: "match.lookup" },
  { id: "submit", permission: "content.submit" },
] as const;

const DELIVERY_STATUSES = ["", "pending", "delivered", "dead", "done"] as const;
/** The signal types POST /v1/match looks up (vpdq goes through HMA's /m/lookup). */
const MATCHABLE = new Set(["pdq", "md5", "sha256", "video_md5", "url", "url_md5", "text"]);

/** Whether the role has anything to do here (the nav shows the screen only then). */
export function mayEngineer(permissions: readonly string[]): boolean {
  return ["rule.write", "match.lookup", "content.submit"].some((p) => permissions.includes(p));
}

/** A list typed as "a, b, c". */
const listOf = (s: string): string[] =>
  s
    .split(/[,،\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

export function Engineer(props: { api: Api; me: Me; section: string | undefined }) {
  const may = (p: string) => props.me.permissions.includes(p);
  const sections = SECTIONS.filter((s) => may(s.permission));
  const current = sections.find((s) => s.id === props.section)?.id ?? sections[0]?.id ?? "match";
  return (
    <main id="main" class="admin engineer">
      <div class="page-head">
        <h1>{t("engineer:title")}</h1>
        <a href="/docs" target="_blank" rel="noopener">
          {t("engineer:docs")}
        </a>
      </div>
      <SectionNav
        screen="engineer"
        label={t("engineer:sections")}
        current={current}
        sections={sections.map((s) => ({ id: s.id, label: t(`engineer:section.${s.id}`) }))}
      />
      {current === "rules" && <Rules api={props.api} me={props.me} />}
      {current === "webhooks" && <Webhooks api={props.api} me={props.me} />}
      {current === "deliveries" && <Deliveries api={props.api} me={props.me} />}
      {current === "match" && <Match api={props.api} />}
      {current === "submit" && <Submit api={props.api} />}
    </main>
  );
}

/** "pdq, text · banks 3, 4 · stance pro ≥ 0.8", in words. */
function conditionsText(c: RuleView["conditions"], bankName: (id: number) => string): string {
  const parts: string[] = [];
  if (c.signal_types?.length) parts.push(t("engineer:cond.types", { list: c.signal_types.join(", ") }));
  if (c.bank_ids?.length) parts.push(t("engineer:cond.banks", { list: c.bank_ids.map(bankName).join(", ") }));
  if (c.entity?.length) parts.push(t("engineer:cond.entity", { list: c.entity.join(", ") }));
  if (c.behaviour?.length) parts.push(t("engineer:cond.behaviour", { list: c.behaviour.join(", ") }));
  if (c.language?.length) parts.push(t("engineer:cond.language", { list: c.language.join(", ") }));
  if (c.max_distance !== undefined) parts.push(t("engineer:cond.maxDistance", { n: c.max_distance }));
  if (c.min_similarity !== undefined) parts.push(t("engineer:cond.minSimilarity", { n: c.min_similarity }));
  if (c.stance?.length)
    parts.push(t("engineer:cond.stance", { list: c.stance.map((s) => t(`engineer:stance.${s}`)).join(", ") }));
  if (c.min_stance_score !== undefined) parts.push(t("engineer:cond.minStance", { n: c.min_stance_score }));
  return parts.length ? parts.join(" · ") : t("engineer:cond.any");
}

function actionText(a: RuleView["actions"][number]): string {
  if (a.type === "webhook") return t("engineer:action.webhook", { url: a.url });
  if (a.type === "decision") return t("engineer:action.decision", { decision: a.decision });
  return t("engineer:action.review");
}

interface RuleForm {
  name: string;
  enabled: boolean;
  signal_types: string[];
  bank_ids: number[];
  stance: string[];
  min_stance_score: string;
  max_distance: string;
  min_similarity: string;
  entity: string;
  behaviour: string;
  language: string;
  review: boolean;
  decision: string;
  webhook: string;
}

const emptyRule = (): RuleForm => ({
  name: "",
  enabled: true,
  signal_types: [],
  bank_ids: [],
  stance: [],
  min_stance_score: "",
  max_distance: "",
  min_similarity: "",
  entity: "",
  behaviour: "",
  language: "",
  review: true,
  decision: "",
  webhook: "",
});

function ruleForm(r: RuleView): RuleForm {
  const c = r.conditions;
  const hook = r.actions.find((a) => a.type === "webhook");
  const decision = r.actions.find((a) => a.type === "decision");
  return {
    name: r.name,
    enabled: r.enabled,
    signal_types: [...(c.signal_types ?? [])],
    bank_ids: [...(c.bank_ids ?? [])],
    stance: [...(c.stance ?? [])],
    min_stance_score: c.min_stance_score === undefined ? "" : String(c.min_stance_score),
    max_distance: c.max_distance === undefined ? "" : String(c.max_distance),
    min_similarity: c.min_similarity === undefined ? "" : String(c.min_similarity),
    entity: (c.entity ?? []).join(", "),
    behaviour: (c.behaviour ?? []).join(", "),
    language: (c.language ?? []).join(", "),
    review: r.actions.some((a) => a.type === "review"),
    decision: decision?.type === "decision" ? decision.decision : "",
    webhook: hook?.type === "webhook" ? hook.url : "",
  };
}

function conditionsBody(f: RuleForm): Record<string, unknown> {
  const num = (v: string) => (v.trim() === "" ? undefined : Number(v));
  const c: Record<string, unknown> = {};
  if (f.signal_types.length) c.signal_types = f.signal_types;
  if (f.bank_ids.length) c.bank_ids = f.bank_ids;
  if (f.stance.length) c.stance = f.stance;
  for (const [k, v] of [
    ["entity", f.entity],
    ["behaviour", f.behaviour],
    ["language", f.language],
  ] as const) {
    const list = listOf(v);
    if (list.length) c[k] = list;
  }
  for (const [k, v] of [
    ["min_stance_score", f.min_stance_score],
    ["max_distance", f.max_distance],
    ["min_similarity", f.min_similarity],
  ] as const) {
    const n = num(v);
    if (n !== undefined) c[k] = n;
  }
  return c;
}

function actionsBody(f: RuleForm): Record<string, unknown>[] {
  return [
    ...(f.review ? [{ type: "review" }] : []),
    ...(f.decision.trim() ? [{ type: "decision", decision: f.decision.trim() }] : []),
    ...(f.webhook.trim() ? [{ type: "webhook", url: f.webhook.trim() }] : []),
  ];
}

/** Webhook secrets made for a rule, shown once: the first one (a rule has at most a few). */
function secretOf(r: RuleWithSecretsView): string | undefined {
  return Object.values(r.webhook_secrets)[0];
}

function Rules(props: { api: Api; me: Me }) {
  const canWrite = props.me.permissions.includes("rule.write");
  const rules = useLoad(() => props.api.get<{ rules: RuleView[] }>("/v1/rules"), []);
  const banks = useLoad(() => props.api.get<{ banks: BankView[] }>("/v1/banks"), []);
  const act = useAct();
  const [editing, setEditing] = useState<RuleView | "new">();
  const [form, setForm] = useState<RuleForm>(emptyRule);
  const [initial, setInitial] = useState<RuleForm>(emptyRule);
  const [secret, setSecret] = useState<{ title: string; value: string }>();
  const bankName = (id: number) => banks.data?.banks.find((b) => b.id === id)?.name ?? `#${id}`;
  const toggle = <T,>(list: T[], v: T, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));
  const actionsChanged = JSON.stringify(actionsBody(form)) !== JSON.stringify(actionsBody(initial));

  const open = (r: RuleView | "new") => {
    const f = r === "new" ? emptyRule() : ruleForm(r);
    setForm(f);
    setInitial(f);
    setEditing(r);
  };
  const save = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const base = { name: form.name, enabled: form.enabled, conditions: conditionsBody(form) };
      const saved =
        editing === "new"
          ? await props.api.post<RuleWithSecretsView>("/v1/rules", { ...base, actions: actionsBody(form) })
          : await props.api.patch<RuleWithSecretsView>(`/v1/rules/${editing!.id}`, {
              ...base,
              // The actions go only when changed: sent again, a webhook would get a new secret.
              ...(actionsChanged ? { actions: actionsBody(form) } : {}),
            });
      const s = secretOf(saved);
      if (s) setSecret({ title: t("engineer:webhooks.secretTitle", { name: saved.name }), value: s });
      setEditing(undefined);
      rules.reload();
      return t(editing === "new" ? "engineer:rules.created" : "engineer:rules.saved", { name: saved.name });
    });
  };
  const remove = (r: RuleView) => {
    if (!window.confirm(t("engineer:rules.deleteConfirm", { name: r.name }))) return;
    void act.run(async () => {
      await props.api.delete(`/v1/rules/${r.id}`);
      rules.reload();
      return t("engineer:rules.deleted", { name: r.name });
    });
  };
  const setEnabled = (r: RuleView, enabled: boolean) =>
    void act.run(async () => {
      await props.api.patch(`/v1/rules/${r.id}`, { enabled });
      rules.reload();
      return t(enabled ? "engineer:rules.enabledNow" : "engineer:rules.disabledNow", { name: r.name });
    });

  return (
    <>
      <Panel title={t("engineer:rules.title")} id="rules">
        <p class="muted">{t("engineer:rules.intro")}</p>
        <ErrorBox error={rules.error ?? banks.error} />
        {canWrite && (
          <button type="button" class="primary" onClick={() => open("new")}>
            {t("engineer:rules.new")}
          </button>
        )}
        <TableWrap label={t("engineer:rules.title")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("engineer:rules.name")}</th>
                <th scope="col">{t("engineer:rules.when")}</th>
                <th scope="col">{t("engineer:rules.then")}</th>
                <th scope="col">{t("engineer:rules.state")}</th>
                {canWrite && <th scope="col">{t("engineer:actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {(rules.data?.rules ?? []).map((r) => (
                <tr key={r.id}>
                  <td>
                    <Txt value={r.name} />
                  </td>
                  <td class="small">{conditionsText(r.conditions, bankName)}</td>
                  <td class="small">
                    <ul class="plain">
                      {r.actions.map((a, i) => (
                        <li key={i}>
                          <bdi dir="ltr">{actionText(a)}</bdi>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>{r.enabled ? t("engineer:rules.on") : t("engineer:rules.off")}</td>
                  {canWrite && (
                    <td class="row">
                      <button type="button" onClick={() => open(r)}>
                        {t("engineer:rules.editOf", { name: r.name })}
                      </button>
                      <button type="button" onClick={() => setEnabled(r, !r.enabled)}>
                        {r.enabled
                          ? t("engineer:rules.disableOf", { name: r.name })
                          : t("engineer:rules.enableOf", { name: r.name })}
                      </button>
                      <button type="button" class="danger" onClick={() => remove(r)}>
                        {t("engineer:rules.deleteOf", { name: r.name })}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
      {secret && (
        <SecretOnce
          title={secret.title}
          secret={secret.value}
          note={t("engineer:webhooks.secretNote")}
          onDone={() => setSecret(undefined)}
        />
      )}
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      {editing !== undefined && canWrite && (
        <Panel
          title={editing === "new" ? t("engineer:rules.new") : t("engineer:rules.edit", { name: editing.name })}
          id="rule-form"
        >
          <form class="stack" onSubmit={save}>
            <label>
              {t("engineer:rules.name")}
              <input
                required
                maxLength={100}
                dir="auto"
                value={form.name}
                onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              />
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={form.enabled}
                onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })}
              />
              {t("engineer:rules.enabled")}
            </label>
            <fieldset>
              <legend>{t("engineer:rules.when")}</legend>
              <p class="muted small">{t("engineer:rules.whenHint")}</p>
              <fieldset>
                <legend>{t("engineer:rules.signalTypes")}</legend>
                <div class="checks">
                  {SIGNAL_TYPES.map((s) => (
                    <label class="check" key={s}>
                      <input
                        type="checkbox"
                        checked={form.signal_types.includes(s)}
                        onChange={(e) =>
                          setForm({ ...form, signal_types: toggle(form.signal_types, s, e.currentTarget.checked) })
                        }
                      />
                      {s}
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset>
                <legend>{t("engineer:rules.banks")}</legend>
                <div class="checks">
                  {(banks.data?.banks ?? []).map((b) => (
                    <label class="check" key={b.id}>
                      <input
                        type="checkbox"
                        checked={form.bank_ids.includes(b.id)}
                        onChange={(e) =>
                          setForm({ ...form, bank_ids: toggle(form.bank_ids, b.id, e.currentTarget.checked) })
                        }
                      />
                      <Txt value={b.name} />
                    </label>
                  ))}
                </div>
              </fieldset>
              <fieldset>
                <legend>{t("engineer:rules.stance")}</legend>
                <div class="checks">
                  {STANCES.map((s) => (
                    <label class="check" key={s}>
                      <input
                        type="checkbox"
                        checked={form.stance.includes(s)}
                        onChange={(e) => setForm({ ...form, stance: toggle(form.stance, s, e.currentTarget.checked) })}
                      />
                      {t(`engineer:stance.${s}`)}
                    </label>
                  ))}
                </div>
              </fieldset>
              <div class="row">
                <NumberField
                  label={t("engineer:rules.minStance")}
                  min={0}
                  max={1}
                  step={0.01}
                  value={form.min_stance_score}
                  onValue={(v) => setForm({ ...form, min_stance_score: v })}
                />
                <NumberField
                  label={t("engineer:rules.maxDistance")}
                  min={0}
                  max={31}
                  value={form.max_distance}
                  onValue={(v) => setForm({ ...form, max_distance: v })}
                />
                <NumberField
                  label={t("engineer:rules.minSimilarity")}
                  min={0}
                  max={1}
                  step={0.01}
                  value={form.min_similarity}
                  onValue={(v) => setForm({ ...form, min_similarity: v })}
                />
              </div>
              <div class="row">
                <label class="grow">
                  {t("engineer:rules.entity")}
                  <input value={form.entity} onInput={(e) => setForm({ ...form, entity: e.currentTarget.value })} />
                </label>
                <label class="grow">
                  {t("engineer:rules.behaviour")}
                  <input
                    value={form.behaviour}
                    onInput={(e) => setForm({ ...form, behaviour: e.currentTarget.value })}
                  />
                </label>
                <label class="grow">
                  {t("engineer:rules.language")}
                  <input value={form.language} onInput={(e) => setForm({ ...form, language: e.currentTarget.value })} />
                </label>
              </div>
            </fieldset>
            <fieldset>
              <legend>{t("engineer:rules.then")}</legend>
              <label class="check">
                <input
                  type="checkbox"
                  checked={form.review}
                  onChange={(e) => setForm({ ...form, review: e.currentTarget.checked })}
                />
                {t("engineer:rules.review")}
              </label>
              <label>
                {t("engineer:rules.decision")}
                <input
                  maxLength={100}
                  value={form.decision}
                  onInput={(e) => setForm({ ...form, decision: e.currentTarget.value })}
                />
              </label>
              <label>
                {t("engineer:rules.webhook")}
                <input
                  type="url"
                  dir="ltr"
                  maxLength={2000}
                  value={form.webhook}
                  onInput={(e) => setForm({ ...form, webhook: e.currentTarget.value })}
                />
              </label>
              {editing !== "new" && actionsChanged && initial.webhook !== "" && (
                <p class="notice">{t("engineer:rules.newSecretWarning")}</p>
              )}
            </fieldset>
            <div class="row">
              <button type="submit" class="primary" disabled={act.busy}>
                {editing === "new" ? t("engineer:rules.createButton") : t("engineer:rules.saveButton")}
              </button>
              <button type="button" onClick={() => setEditing(undefined)}>
                {t("engineer:cancel")}
              </button>
            </div>
          </form>
        </Panel>
      )}
    </>
  );
}

function Webhooks(props: { api: Api; me: Me }) {
  const canWrite = props.me.permissions.includes("rule.write");
  const rules = useLoad(() => props.api.get<{ rules: RuleView[] }>("/v1/rules"), []);
  const endpoints = useLoad(() => props.api.get<{ endpoints: WebhookEndpointView[] }>("/v1/webhook-endpoints"), []);
  const act = useAct();
  const [secret, setSecret] = useState<{ title: string; value: string; note: string }>();
  const [form, setForm] = useState({ name: "", url: "" });
  const hooks = (rules.data?.rules ?? []).flatMap((r) =>
    r.actions.flatMap((a, index) => (a.type === "webhook" ? [{ rule: r, index, hook: a }] : [])),
  );

  const create = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const r = await props.api.post<RuleWithSecretsView>("/v1/rules", {
        name: form.name,
        conditions: {},
        actions: [{ type: "webhook", url: form.url }],
      });
      const s = secretOf(r);
      if (s)
        setSecret({
          title: t("engineer:webhooks.secretTitle", { name: r.name }),
          value: s,
          note: t("engineer:webhooks.secretNote"),
        });
      setForm({ name: "", url: "" });
      rules.reload();
      return undefined;
    });
  };
  const rotate = (rule: RuleView, index: number) => {
    if (!window.confirm(t("engineer:webhooks.rotateConfirm", { name: rule.name }))) return;
    void act.run(async () => {
      const r = await props.api.post<RotatedSecretView>(`/v1/rules/${rule.id}/actions/${index}/rotate-secret`, {});
      setSecret({
        title: t("engineer:webhooks.rotatedTitle", { name: rule.name }),
        value: r.secret,
        note: t("engineer:webhooks.rotatedNote", { until: new Date(r.previous_secret_until).toISOString() }),
      });
      rules.reload();
      return undefined;
    });
  };
  const enable = (e: WebhookEndpointView) =>
    void act.run(async () => {
      const r = await props.api.post<{ released: number }>(`/v1/webhook-endpoints/${e.id}/enable`, {});
      endpoints.reload();
      return t("engineer:webhooks.enabled", { origin: e.origin, count: r.released });
    });

  return (
    <>
      {canWrite && (
        <Panel title={t("engineer:webhooks.new")} id="new-webhook">
          <p class="muted small">{t("engineer:webhooks.newHint")}</p>
          <form class="inline-form" onSubmit={create}>
            <label class="grow">
              {t("engineer:webhooks.name")}
              <input
                required
                maxLength={100}
                dir="auto"
                value={form.name}
                onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              />
            </label>
            <label class="grow">
              {t("engineer:webhooks.url")}
              <input
                required
                type="url"
                dir="ltr"
                maxLength={2000}
                value={form.url}
                onInput={(e) => setForm({ ...form, url: e.currentTarget.value })}
              />
            </label>
            <button type="submit" class="primary" disabled={act.busy}>
              {t("engineer:webhooks.createButton")}
            </button>
          </form>
        </Panel>
      )}
      {secret && (
        <SecretOnce title={secret.title} secret={secret.value} note={secret.note} onDone={() => setSecret(undefined)} />
      )}
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      <Panel title={t("engineer:webhooks.title")} id="webhooks">
        <p class="muted small">{t("engineer:webhooks.signing")}</p>
        <ErrorBox error={rules.error} />
        <TableWrap label={t("engineer:webhooks.title")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("engineer:webhooks.rule")}</th>
                <th scope="col">{t("engineer:webhooks.url")}</th>
                <th scope="col">{t("engineer:webhooks.endpoint")}</th>
                <th scope="col">{t("engineer:webhooks.previous")}</th>
                {canWrite && <th scope="col">{t("engineer:actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {hooks.map(({ rule, index, hook }) => (
                <tr key={`${rule.id}-${index}`}>
                  <td>
                    <Txt value={rule.name} />
                  </td>
                  <td>
                    <code dir="ltr">{hook.url}</code>
                  </td>
                  <td>
                    {hook.endpoint ? (
                      <span class={`badge state-${hook.endpoint.state}`}>
                        {t(`engineer:webhooks.state.${hook.endpoint.state}`)}
                      </span>
                    ) : (
                      <span class="muted">{t("engineer:webhooks.noOutcome")}</span>
                    )}
                  </td>
                  <td>
                    <When at={hook.previous_secret_until} />
                  </td>
                  {canWrite && (
                    <td>
                      <button type="button" onClick={() => rotate(rule, index)}>
                        {t("engineer:webhooks.rotateOf", { name: rule.name })}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {!rules.loading && hooks.length === 0 && <p class="muted">{t("engineer:webhooks.none")}</p>}
      </Panel>
      <Panel title={t("engineer:webhooks.endpoints")} id="endpoints">
        <p class="muted small">{t("engineer:webhooks.endpointsHint")}</p>
        <ErrorBox error={endpoints.error} />
        <TableWrap label={t("engineer:webhooks.endpoints")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("engineer:webhooks.origin")}</th>
                <th scope="col">{t("engineer:webhooks.endpoint")}</th>
                <th scope="col">{t("engineer:webhooks.failures")}</th>
                <th scope="col">{t("engineer:webhooks.lastError")}</th>
                {canWrite && <th scope="col">{t("engineer:actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {(endpoints.data?.endpoints ?? []).map((e) => (
                <tr key={e.id}>
                  <td>
                    <code dir="ltr">{e.origin}</code>
                  </td>
                  <td>
                    <span class={`badge state-${e.state}`}>{t(`engineer:webhooks.state.${e.state}`)}</span>{" "}
                    <When at={e.since} />
                  </td>
                  <td>{formatNumber(e.failures)}</td>
                  <td class="small">{e.last_error ? <code dir="ltr">{e.last_error}</code> : "—"}</td>
                  {canWrite && (
                    <td>
                      {e.state === "disabled" && (
                        <button type="button" onClick={() => enable(e)}>
                          {t("engineer:webhooks.enableOf", { origin: e.origin })}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
    </>
  );
}

function Deliveries(props: { api: Api; me: Me }) {
  const canRedeliver = props.me.permissions.includes("action.redeliver");
  const [status, setStatus] = useState<string>("");
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const limit = 50;
  const list = useLoad(
    () => props.api.get<{ actions: ActionView[] }>(`/v1/actions${query({ status, before, limit })}`),
    [status, before],
  );
  const rules = useLoad(() => props.api.get<{ rules: RuleView[] }>("/v1/rules"), []);
  const act = useAct();
  const ruleName = (id: number) => rules.data?.rules.find((r) => r.id === id)?.name ?? `#${id}`;
  const redeliver = (a: ActionView) =>
    void act.run(async () => {
      await props.api.post(`/v1/actions/${a.id}/redeliver`, {});
      list.reload();
      return t("engineer:deliveries.redelivered", { id: String(a.id) });
    });
  const actions = list.data?.actions ?? [];
  return (
    <Panel title={t("engineer:deliveries.title")} id="deliveries">
      <p class="muted small">{t("engineer:deliveries.intro")}</p>
      <div class="row">
        <label>
          {t("engineer:deliveries.status")}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setPages([undefined]);
            }}
          >
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`engineer:deliveries.statusName.${s || "all"}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={list.reload}>
          {t("engineer:refresh")}
        </button>
      </div>
      <ErrorBox error={list.error ?? act.error} />
      <Done text={act.done} />
      <TableWrap label={t("engineer:deliveries.title")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("engineer:deliveries.id")}</th>
              <th scope="col">{t("engineer:deliveries.rule")}</th>
              <th scope="col">{t("engineer:deliveries.item")}</th>
              <th scope="col">{t("engineer:deliveries.type")}</th>
              <th scope="col">{t("engineer:deliveries.status")}</th>
              <th scope="col">{t("engineer:deliveries.attempts")}</th>
              <th scope="col">{t("engineer:deliveries.last")}</th>
              <th scope="col">{t("engineer:deliveries.created")}</th>
              {canRedeliver && <th scope="col">{t("engineer:actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id} data-action-id={a.id} data-status={a.status}>
                <td>{String(a.id)}</td>
                <td>
                  <Txt value={ruleName(a.rule_id)} />
                </td>
                <td>{String(a.item_id)}</td>
                <td>
                  {t(`engineer:deliveries.typeName.${a.type}`)}
                  {a.type === "webhook" && (
                    <>
                      <br />
                      <code dir="ltr" class="small">
                        {a.target}
                      </code>
                    </>
                  )}
                </td>
                <td>
                  <span class={`badge status-${a.status}`}>{t(`engineer:deliveries.statusName.${a.status}`)}</span>
                </td>
                <td>{formatNumber(a.attempts)}</td>
                <td class="small">
                  {a.last_status !== null && <code>{a.last_status}</code>}{" "}
                  {a.last_error && <code dir="ltr">{a.last_error}</code>}
                </td>
                <td>
                  <When at={a.created_at} />
                </td>
                {canRedeliver && (
                  <td>
                    {a.type === "webhook" && a.status !== "pending" && (
                      <button type="button" onClick={() => redeliver(a)}>
                        {t("engineer:deliveries.redeliverOf", { id: String(a.id) })}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      {!list.loading && actions.length === 0 && <p class="muted">{t("engineer:deliveries.empty")}</p>}
      <div class="row">
        <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
          {t("engineer:newer")}
        </button>
        <button
          type="button"
          disabled={actions.length < limit}
          onClick={() => {
            const last = actions.at(-1);
            if (last) setPages([...pages, last.id]);
          }}
        >
          {t("engineer:older")}
        </button>
      </div>
    </Panel>
  );
}

interface MatchResult {
  /** What was looked up: a file's name, a URL, a text. */
  what: string;
  hashes: [string, string][];
  /** Matches by signal type. */
  matches: Record<string, MatchResponse>;
  /** vpdq, through HMA's lookup: bank name → number of matches. */
  hma: Record<string, HmaLookupResult>;
  /** Why the media could not be hashed (the URL's own match still stands). */
  mediaError?: unknown;
}

/** SHA-256 of the bytes, in hex, when the browser offers it (secure contexts). */
async function sha256Hex(file: Blob): Promise<string | undefined> {
  if (!globalThis.crypto?.subtle) return undefined;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function Match(props: { api: Api }) {
  const banks = useLoad(() => props.api.get<{ banks: BankView[] }>("/v1/banks"), []);
  const [file, setFile] = useState<File>();
  const [url, setUrl] = useState("");
  const [text, setText] = useState("");
  const [result, setResult] = useState<MatchResult>();
  const act = useAct();
  const bankName = (id: number) => banks.data?.banks.find((b) => b.id === id)?.name ?? `#${id}`;

  /** Looks every hash up: rasd's own matcher where it can, HMA's lookup for vpdq. */
  const lookUp = async (hashes: [string, string][]) => {
    const matches: Record<string, MatchResponse> = {};
    const hma: Record<string, HmaLookupResult> = {};
    for (const [type, value] of hashes) {
      if (MATCHABLE.has(type)) matches[type] = await props.api.post<MatchResponse>("/v1/match", { type, value });
      else hma[type] = await props.api.get<HmaLookupResult>(`/m/lookup${query({ signal_type: type, signal: value })}`);
    }
    return { matches, hma };
  };
  const matchFile = (e: Event) => {
    e.preventDefault();
    const f = file;
    if (!f) return;
    void act.run(async () => {
      const form = new FormData();
      form.append(f.type.startsWith("video/") ? "video" : "photo", f, f.name);
      const hashed = await props.api.post<HmaHashes>("/h/hash", form);
      const hashes: [string, string][] = Object.entries(hashed);
      const sha = await sha256Hex(f);
      if (sha) hashes.push(["sha256", sha]);
      setResult({ what: f.name, hashes, ...(await lookUp(hashes)) });
      return undefined;
    });
  };
  const matchUrl = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const own = await lookUp([["url", url]]);
      let mediaError: unknown;
      let media: [string, string][] = [];
      try {
        media = Object.entries(await props.api.get<HmaHashes>(`/h/hash${query({ url })}`));
      } catch (error) {
        mediaError = error;
      }
      const more = await lookUp(media);
      setResult({
        what: url,
        hashes: [["url", url], ...media],
        matches: { ...own.matches, ...more.matches },
        hma: more.hma,
        ...(mediaError ? { mediaError } : {}),
      });
      return undefined;
    });
  };
  const matchText = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      setResult({ what: text, hashes: [["text", text]], ...(await lookUp([["text", text]])) });
      return undefined;
    });
  };
  const total = result
    ? Object.values(result.matches).reduce((n, m) => n + m.matches.length, 0) +
      Object.values(result.hma).reduce((n, byBank) => n + Object.values(byBank).flat().length, 0)
    : 0;

  return (
    <>
      <Panel title={t("engineer:match.title")} id="match">
        <p class="muted">{t("engineer:match.intro")}</p>
        <form class="inline-form" onSubmit={matchFile}>
          <label class="grow">
            {t("engineer:match.file")}
            <input type="file" accept="image/*,video/*" onChange={(e) => setFile(e.currentTarget.files?.[0])} />
          </label>
          <button type="submit" class="primary" disabled={act.busy || !file}>
            {t("engineer:match.matchFile")}
          </button>
        </form>
        <form class="inline-form" onSubmit={matchUrl}>
          <label class="grow">
            {t("engineer:match.url")}
            <input type="url" required dir="ltr" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={act.busy}>
            {t("engineer:match.matchUrl")}
          </button>
        </form>
        <form class="inline-form" onSubmit={matchText}>
          <label class="grow">
            {t("engineer:match.text")}
            <textarea required dir="auto" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary" disabled={act.busy}>
            {t("engineer:match.matchText")}
          </button>
        </form>
      </Panel>
      <ErrorBox error={act.error} />
      {act.busy && (
        <p class="muted" role="status">
          {t("engineer:match.working")}
        </p>
      )}
      {result && (
        <Panel title={t("engineer:match.result", { count: total })} id="match-result">
          <p>
            <Txt value={result.what} />
          </p>
          {result.mediaError !== undefined && <p class="notice">{t("engineer:match.noMedia")}</p>}
          <ErrorBox error={result.mediaError} />
          {result.hashes.map(([type, value]) => {
            const m = result.matches[type];
            const h = result.hma[type];
            return (
              <section key={type} class="match-type" aria-labelledby={`hash-${type}`}>
                <h3 id={`hash-${type}`}>{t("engineer:match.hash", { type })}</h3>
                <code dir="ltr" class="hash-value">
                  {value}
                </code>
                {m && m.matches.length === 0 && (!h || Object.keys(h).length === 0) && (
                  <p class="muted">{t("engineer:match.none")}</p>
                )}
                {m && m.matches.length > 0 && (
                  <ul class="plain">
                    {m.matches.map((x) => (
                      <li key={x.signalId} class={x.suppressed ? "suppressed" : ""}>
                        {t("engineer:match.hit", { bank: bankName(x.bankId), signal: String(x.signalId) })}
                        {x.distance !== undefined && ` · ${t("engineer:match.distance", { d: x.distance })}`}
                        {x.similarity !== undefined &&
                          ` · ${t("engineer:match.similarity", { s: formatPercent(x.similarity, 0) })}`}
                        {x.suppressed && ` · ${t("engineer:match.suppressed")}`}
                      </li>
                    ))}
                  </ul>
                )}
                {m && m.suppressed_by.length > 0 && (
                  <p class="small">
                    {t("engineer:match.allowList", { banks: m.suppressed_by.map(bankName).join(", ") })}
                  </p>
                )}
                {h && Object.keys(h).length > 0 && (
                  <ul class="plain">
                    {Object.entries(h).map(([bank, hits]) => (
                      <li key={bank}>
                        {t("engineer:match.hmaHit", { bank, count: hits.length })}
                        {hits[0] && ` · ${t("engineer:match.distance", { d: hits[0].distance })}`}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </Panel>
      )}
    </>
  );
}

/** A fresh Idempotency-Key for one submission (a retry of the same click would reuse it). */
function newKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `web-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function Submit(props: { api: Api }) {
  const [kind, setKind] = useState<"text" | "url" | "file">("text");
  const [form, setForm] = useState({ text: "", url: "", content_id: "", platform: "", country: "", author_id: "" });
  const [file, setFile] = useState<File>();
  const [submitted, setSubmitted] = useState<SubmittedView>();
  const act = useAct();
  const item = useLoad(
    () => (submitted ? props.api.get<ContentItemView>(`/v1/content/${submitted.id}`) : Promise.resolve(undefined)),
    [submitted],
  );
  const fields = Object.entries({
    content_id: form.content_id,
    platform: form.platform,
    country: form.country,
    author_id: form.author_id,
  }).filter(([, v]) => v.trim() !== "");

  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const headers = { "idempotency-key": newKey() };
      let r: SubmittedView;
      if (kind === "file") {
        if (!file) return undefined;
        const body = new FormData();
        for (const [k, v] of fields) body.append(k, v);
        if (form.text.trim()) body.append("text", form.text);
        body.append(file.type.startsWith("video/") ? "video" : "image", file, file.name);
        r = await props.api.post<SubmittedView>("/v1/content", body, headers);
      } else {
        const body: Record<string, string> = Object.fromEntries(fields);
        if (kind === "url") body.url = form.url;
        if (form.text.trim()) body.text = form.text;
        r = await props.api.post<SubmittedView>("/v1/content", body, headers);
      }
      setSubmitted(r);
      return t("engineer:submit.received", { id: String(r.id) });
    });
  };
  const field = (name: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [name]: e.currentTarget.value });

  return (
    <>
      <Panel title={t("engineer:submit.title")} id="submit">
        <p class="muted">{t("engineer:submit.intro")}</p>
        <form class="stack" onSubmit={submit}>
          <fieldset>
            <legend>{t("engineer:submit.kind")}</legend>
            <div class="checks">
              {(["text", "url", "file"] as const).map((k) => (
                <label class="radio" key={k}>
                  <input type="radio" name="kind" checked={kind === k} onChange={() => setKind(k)} />
                  {t(`engineer:submit.kindName.${k}`)}
                </label>
              ))}
            </div>
          </fieldset>
          {kind === "url" && (
            <label>
              {t("engineer:submit.url")}
              <input type="url" required dir="ltr" value={form.url} onInput={field("url")} />
            </label>
          )}
          {kind === "file" && (
            <label>
              {t("engineer:submit.file")}
              <input
                type="file"
                required
                accept="image/*,video/*"
                onChange={(e) => setFile(e.currentTarget.files?.[0])}
              />
            </label>
          )}
          <label>
            {kind === "text" ? t("engineer:submit.text") : t("engineer:submit.caption")}
            <textarea dir="auto" rows={3} required={kind === "text"} value={form.text} onInput={field("text")} />
          </label>
          <div class="row">
            <label class="grow">
              {t("engineer:submit.contentId")}
              <input maxLength={200} value={form.content_id} onInput={field("content_id")} />
            </label>
            <label class="grow">
              {t("engineer:submit.platform")}
              <input maxLength={100} value={form.platform} onInput={field("platform")} />
            </label>
            <label>
              {t("engineer:submit.country")}
              <input
                maxLength={2}
                pattern="[A-Za-z]{2}"
                class="short"
                value={form.country}
                onInput={field("country")}
              />
            </label>
            <label class="grow">
              {t("engineer:submit.author")}
              <input maxLength={200} value={form.author_id} onInput={field("author_id")} />
            </label>
          </div>
          <div class="row">
            <button type="submit" class="primary" disabled={act.busy}>
              {t("engineer:submit.button")}
            </button>
          </div>
        </form>
      </Panel>
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      {submitted && (
        <Panel title={t("engineer:submit.item", { id: String(submitted.id) })} id="submitted">
          <ErrorBox error={item.error} />
          {item.data && (
            <dl class="facts">
              <dt>{t("engineer:submit.status")}</dt>
              <dd data-testid="item-status" data-status={item.data.status}>
                {t(`engineer:submit.itemStatus.${item.data.status}`)}
              </dd>
              <dt>{t("engineer:submit.matches")}</dt>
              <dd>{formatNumber(item.data.matches.length)}</dd>
              <dt>{t("engineer:submit.actions")}</dt>
              <dd>{formatNumber(item.data.actions.length)}</dd>
              <dt>{t("engineer:submit.receivedAt")}</dt>
              <dd>
                <When at={item.data.timestamps.received_at} />
              </dd>
            </dl>
          )}
          <button type="button" onClick={item.reload}>
            {t("engineer:refresh")}
          </button>
        </Panel>
      )}
    </>
  );
}
