/**
 * The organisation's administration, under the same permissions as the API (src/core/roles.ts):
 * organisations of the coalition (org.read), people and API keys (people.write), banks with
 * their marking and sharing group (bank.write) and the audit log with its chain check
 * (audit.read). A section the role may not use is neither linked nor shown; the API refuses anyway.
 */

import { useState } from "preact/hooks";
import "../admin.css";
import { ORG_ROLES } from "../../src/core/roles.js";
import { ORG_KINDS, TLP_MARKINGS } from "../../src/core/model.js";
import type {
  AuditEntryView,
  BankView,
  CreatedKeyView,
  KeyView,
  OrgView,
  PersonView,
  RotatedKeyView,
} from "../../src/http/schemas/index.js";
import { Done, NumberField, SecretOnce, SectionNav, TableWrap, useAct, When } from "./admin-ui.js";
import { query, type Api } from "./lib/api.js";
import { formatNumber, t } from "./lib/i18n.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Panel, TlpBadge, Txt, useLoad } from "./ui.js";

const SECTIONS = [
  { id: "orgs", permission: "org.read" },
  { id: "people", permission: "people.write" },
  { id: "keys", permission: "people.write" },
  { id: "banks", permission: "bank.write" },
  { id: "audit", permission: "audit.read" },
] as const;

/** The banks' marking when none is chosen (the API's default). */
const DEFAULT_TLP = "AMBER+STRICT";

/** Whether the role has anything to administer (the nav shows the screen only then). */
export function mayAdminister(permissions: readonly string[]): boolean {
  return ["people.write", "bank.write", "audit.read"].some((p) => permissions.includes(p));
}

/** GET /v1/sharing-defaults. */
interface SharingDefaults {
  tlp: string | null;
  effective_tlp: string;
}

interface AuditVerification {
  ok: boolean;
  chains: {
    orgId: number | null;
    entries: number;
    head: string;
    broken?: { entryId: number; seq: number; reason: string };
  }[];
}

export function Admin(props: { api: Api; me: Me; section: string | undefined }) {
  const may = (p: string) => props.me.permissions.includes(p);
  const sections = SECTIONS.filter((s) => may(s.permission));
  const current = sections.find((s) => s.id === props.section)?.id ?? sections[0]?.id ?? "orgs";
  return (
    <main id="main" class="admin">
      <h1>{t("admin:title")}</h1>
      <SectionNav
        screen="admin"
        label={t("admin:sections")}
        current={current}
        sections={sections.map((s) => ({ id: s.id, label: t(`admin:section.${s.id}`) }))}
      />
      {current === "orgs" && <Orgs api={props.api} me={props.me} />}
      {current === "people" && <People api={props.api} me={props.me} />}
      {current === "keys" && <Keys api={props.api} me={props.me} />}
      {current === "banks" && <Banks api={props.api} me={props.me} />}
      {current === "audit" && <Audit api={props.api} />}
    </main>
  );
}

function Orgs(props: { api: Api; me: Me }) {
  const orgs = useLoad(() => props.api.get<{ orgs: OrgView[] }>("/v1/orgs"), []);
  const mayCreate = props.me.permissions.includes("org.write");
  const act = useAct();
  const [form, setForm] = useState({ name: "", kind: "ngo", admin: "", password: "" });
  const create = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const made = await props.api.post<{ org: OrgView; admin?: PersonView }>("/v1/orgs", {
        name: form.name,
        kind: form.kind,
        ...(form.admin.trim() ? { admin: { name: form.admin.trim(), password: form.password } } : {}),
      });
      setForm({ name: "", kind: form.kind, admin: "", password: "" });
      orgs.reload();
      return made.admin
        ? t("admin:orgs.createdWithAdmin", { name: made.org.name, admin: made.admin.name })
        : t("admin:orgs.created", { name: made.org.name });
    });
  };
  return (
    <>
      {mayCreate && (
        <Panel title={t("admin:orgs.create")} id="create-org">
          <form class="inline-form" onSubmit={create}>
            <label class="grow">
              {t("admin:orgs.name")}
              <input
                required
                maxLength={120}
                dir="auto"
                value={form.name}
                onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              />
            </label>
            <label>
              {t("admin:orgs.kind")}
              <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value })}>
                {ORG_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`admin:orgKind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            <label class="grow">
              {t("admin:orgs.adminName")}
              <input
                maxLength={100}
                dir="auto"
                value={form.admin}
                aria-describedby="org-admin-hint"
                onInput={(e) => setForm({ ...form, admin: e.currentTarget.value })}
              />
            </label>
            <label class="grow">
              {t("admin:orgs.adminPassword")}
              <input
                type="password"
                minLength={10}
                required={form.admin.trim() !== ""}
                autocomplete="new-password"
                value={form.password}
                onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
              />
            </label>
            <button type="submit" class="primary" disabled={act.busy}>
              {t("admin:orgs.createButton")}
            </button>
          </form>
          <p class="muted small" id="org-admin-hint">
            {t("admin:orgs.adminHint")}
          </p>
          <ErrorBox error={act.error} />
          <Done text={act.done} />
        </Panel>
      )}
      <OrgList orgs={orgs} me={props.me} />
    </>
  );
}

function OrgList(props: { orgs: ReturnType<typeof useLoad<{ orgs: OrgView[] }>>; me: Me }) {
  const orgs = props.orgs;
  return (
    <Panel title={t("admin:orgs.title")} id="orgs">
      <p class="muted">
        <Command text="rasd org create" message={t("admin:orgs.intro", { command: "\u0000" })} />
      </p>
      <ErrorBox error={orgs.error} />
      <TableWrap label={t("admin:orgs.title")}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin:orgs.name")}</th>
              <th scope="col">{t("admin:orgs.kind")}</th>
              <th scope="col">{t("admin:orgs.since")}</th>
            </tr>
          </thead>
          <tbody>
            {(orgs.data?.orgs ?? []).map((o) => (
              <tr key={o.id} aria-current={o.id === props.me.org.id ? "true" : undefined}>
                <td>
                  <Txt value={o.name} />
                  {o.id === props.me.org.id && <span class="badge">{t("admin:orgs.yours")}</span>}
                </td>
                <td>{t(`admin:orgKind.${o.kind}`)}</td>
                <td>
                  <When at={o.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </Panel>
  );
}

function People(props: { api: Api; me: Me }) {
  const people = useLoad(() => props.api.get<{ people: PersonView[] }>("/v1/people"), []);
  const act = useAct();
  const [form, setForm] = useState({ name: "", role: "reviewer", password: "" });
  const [passwordFor, setPasswordFor] = useState<PersonView>();
  /** The person whose role is being changed, and the role chosen. */
  const [roleFor, setRoleFor] = useState<PersonView>();
  const [newRole, setNewRole] = useState("");
  const changeRole = (e: Event) => {
    e.preventDefault();
    const p = roleFor;
    if (!p || newRole === p.role) return;
    if (!window.confirm(t("admin:people.roleConfirm", { name: p.name, role: t(`role.${newRole}`) }))) return;
    void act.run(async () => {
      const r = await props.api.patch<PersonView>(`/v1/people/${p.id}`, { role: newRole });
      setRoleFor(undefined);
      people.reload();
      return t("admin:people.roleChanged", { name: r.name, role: t(`role.${r.role}`) });
    });
  };
  const [newPassword, setNewPassword] = useState("");
  const add = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const p = await props.api.post<PersonView>("/v1/people", form);
      setForm({ name: "", role: form.role, password: "" });
      people.reload();
      return t("admin:people.added", { name: p.name, org: props.me.org.name });
    });
  };
  const disable = (p: PersonView) => {
    if (!window.confirm(t("admin:people.disableConfirm", { name: p.name }))) return;
    void act.run(async () => {
      const r = await props.api.post<{ keys_revoked: number }>(`/v1/people/${p.id}/disable`, {});
      people.reload();
      return t("admin:people.disabled", { name: p.name, count: r.keys_revoked });
    });
  };
  const setPassword = (e: Event) => {
    e.preventDefault();
    const p = passwordFor;
    if (!p) return;
    void act.run(async () => {
      await props.api.post(`/v1/people/${p.id}/password`, { password: newPassword });
      setPasswordFor(undefined);
      setNewPassword("");
      people.reload();
      return t("admin:people.passwordSet", { name: p.name });
    });
  };
  return (
    <>
      <Panel title={t("admin:people.add")} id="add-person">
        <form class="inline-form" onSubmit={add}>
          <label class="grow">
            {t("admin:people.name")}
            <input
              required
              maxLength={100}
              dir="auto"
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("admin:people.role")}
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
              {ORG_ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            {t("admin:people.password")}
            <input
              type="password"
              required
              minLength={10}
              autocomplete="new-password"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
          </label>
          <button type="submit" class="primary" disabled={act.busy}>
            {t("admin:people.addButton")}
          </button>
        </form>
        <p class="muted small">{t("admin:people.roleNote")}</p>
      </Panel>
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      {passwordFor && (
        <Panel title={t("admin:people.passwordFor", { name: passwordFor.name })} id="set-password">
          <form class="inline-form" onSubmit={setPassword}>
            <label class="grow">
              {t("admin:people.newPassword")}
              <input
                type="password"
                required
                minLength={10}
                autocomplete="new-password"
                value={newPassword}
                onInput={(e) => setNewPassword(e.currentTarget.value)}
              />
            </label>
            <button type="submit" class="primary" disabled={act.busy}>
              {t("admin:people.setPassword")}
            </button>
            <button type="button" onClick={() => setPasswordFor(undefined)}>
              {t("admin:cancel")}
            </button>
          </form>
        </Panel>
      )}
      {roleFor && (
        <Panel title={t("admin:people.roleOf", { name: roleFor.name })} id="change-role">
          <form class="inline-form" onSubmit={changeRole}>
            <label>
              {t("admin:people.newRole")}
              <select value={newRole} onChange={(e) => setNewRole(e.currentTarget.value)}>
                {ORG_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary" disabled={act.busy || newRole === roleFor.role}>
              {t("admin:people.saveRole")}
            </button>
            <button type="button" onClick={() => setRoleFor(undefined)}>
              {t("admin:cancel")}
            </button>
          </form>
          <p class="muted small">{t("admin:people.roleNote")}</p>
        </Panel>
      )}
      <Panel title={t("admin:people.title", { count: people.data?.people.length ?? 0 })} id="people">
        <ErrorBox error={people.error} />
        <TableWrap label={t("admin:people.list")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin:people.name")}</th>
                <th scope="col">{t("admin:people.role")}</th>
                <th scope="col">{t("admin:people.signIn")}</th>
                <th scope="col">{t("admin:people.keys")}</th>
                <th scope="col">{t("admin:people.since")}</th>
                <th scope="col">{t("admin:actions")}</th>
              </tr>
            </thead>
            <tbody>
              {(people.data?.people ?? []).map((p) => {
                const off = p.password === false && p.active_keys === 0;
                return (
                  <tr key={p.id} class={off ? "off" : ""}>
                    <td>
                      <Txt value={p.name} />
                      {off && <span class="badge">{t("admin:people.isDisabled")}</span>}
                    </td>
                    <td>{t(`role.${p.role}`)}</td>
                    <td>{p.password ? t("admin:yes") : t("admin:no")}</td>
                    <td>{formatNumber(p.active_keys ?? 0)}</td>
                    <td>
                      <When at={p.created_at} />
                    </td>
                    <td class="row">
                      <button type="button" onClick={() => setPasswordFor(p)}>
                        {t("admin:people.setPasswordOf", { name: p.name })}
                      </button>
                      {p.id !== props.me.person.id && (ORG_ROLES as readonly string[]).includes(p.role) && (
                        <button
                          type="button"
                          onClick={() => {
                            setRoleFor(p);
                            setNewRole(p.role);
                          }}
                        >
                          {t("admin:people.changeRoleOf", { name: p.name })}
                        </button>
                      )}
                      {p.id !== props.me.person.id && !off && (
                        <button type="button" class="danger" onClick={() => disable(p)}>
                          {t("admin:people.disableOf", { name: p.name })}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
    </>
  );
}

function Keys(props: { api: Api; me: Me }) {
  const keys = useLoad(() => props.api.get<{ keys: KeyView[] }>("/v1/keys"), []);
  const act = useAct();
  const [secret, setSecret] = useState<{ title: string; value: string }>();
  const [form, setForm] = useState({ person: "", role: "submitter", name: "", days: "" });
  const create = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const days = Number(form.days);
      const made = await props.api.post<CreatedKeyView>("/v1/keys", {
        person: form.person,
        role: form.role,
        ...(form.name ? { name: form.name } : {}),
        ...(form.days && days > 0 ? { expires_in: Math.round(days * 86400) } : {}),
      });
      setSecret({ title: t("admin:keys.createdTitle", { person: made.person.name }), value: made.key });
      setForm({ person: "", role: form.role, name: "", days: "" });
      keys.reload();
      return undefined;
    });
  };
  const rotate = (k: KeyView) => {
    if (!window.confirm(t("admin:keys.rotateConfirm", { name: k.name ?? k.prefix }))) return;
    void act.run(async () => {
      const r = await props.api.post<RotatedKeyView>(`/v1/keys/${k.id}/rotate`, {});
      setSecret({ title: t("admin:keys.rotatedTitle", { name: k.name ?? k.prefix }), value: r.key });
      keys.reload();
      return undefined;
    });
  };
  const revoke = (k: KeyView) => {
    if (!window.confirm(t("admin:keys.revokeConfirm", { name: k.name ?? k.prefix, person: k.person.name }))) return;
    void act.run(async () => {
      await props.api.delete(`/v1/keys/${k.id}`);
      keys.reload();
      return t("admin:keys.revoked", { name: k.name ?? k.prefix });
    });
  };
  return (
    <>
      <Panel title={t("admin:keys.create")} id="create-key">
        <form class="inline-form" onSubmit={create}>
          <label class="grow">
            {t("admin:keys.person")}
            <input
              required
              maxLength={100}
              dir="auto"
              value={form.person}
              aria-describedby="key-person-hint"
              onInput={(e) => setForm({ ...form, person: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("admin:keys.role")}
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
              {ORG_ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            {t("admin:keys.name")}
            <input
              maxLength={100}
              dir="auto"
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </label>
          <NumberField
            label={t("admin:keys.days")}
            min={1}
            max={366}
            value={form.days}
            onValue={(v) => setForm({ ...form, days: v })}
          />
          <button type="submit" class="primary" disabled={act.busy}>
            {t("admin:keys.createButton")}
          </button>
        </form>
        <p class="muted small" id="key-person-hint">
          {t("admin:keys.personHint", { me: props.me.person.name })}
        </p>
      </Panel>
      {secret && (
        <SecretOnce
          title={secret.title}
          secret={secret.value}
          note={t("admin:keys.secretNote")}
          onDone={() => setSecret(undefined)}
        />
      )}
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      <Panel title={t("admin:keys.title")} id="keys">
        <ErrorBox error={keys.error} />
        <TableWrap label={t("admin:keys.title")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin:keys.name")}</th>
                <th scope="col">{t("admin:keys.prefix")}</th>
                <th scope="col">{t("admin:keys.person")}</th>
                <th scope="col">{t("admin:keys.role")}</th>
                <th scope="col">{t("admin:keys.state")}</th>
                <th scope="col">{t("admin:keys.lastUsed")}</th>
                <th scope="col">{t("admin:keys.expires")}</th>
                <th scope="col">{t("admin:actions")}</th>
              </tr>
            </thead>
            <tbody>
              {(keys.data?.keys ?? [])
                .slice()
                .reverse()
                .map((k) => (
                  <tr key={k.id} data-key-id={k.id}>
                    <td>{k.name ? <Txt value={k.name} /> : <span class="muted">{t("admin:keys.unnamed")}</span>}</td>
                    <td>
                      <code dir="ltr">{`rasd_${k.prefix}_…`}</code>
                    </td>
                    <td>
                      <Txt value={k.person.name} />
                    </td>
                    <td>{t(`role.${k.role}`)}</td>
                    <td>
                      <span class={`badge state-${k.state}`}>{t(`admin:keys.stateName.${k.state}`)}</span>
                    </td>
                    <td>
                      <When at={k.last_used_at} />
                    </td>
                    <td>
                      {k.expires_at ? (
                        <When at={k.expires_at} />
                      ) : (
                        <span class="muted">{t("admin:keys.noExpiry")}</span>
                      )}
                    </td>
                    <td class="row">
                      {k.state === "active" && (
                        <>
                          <button type="button" onClick={() => rotate(k)}>
                            {t("admin:keys.rotateOf", { name: k.name ?? k.prefix })}
                          </button>
                          <button type="button" class="danger" onClick={() => revoke(k)}>
                            {t("admin:keys.revokeOf", { name: k.name ?? k.prefix })}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </TableWrap>
      </Panel>
    </>
  );
}

interface BankForm {
  name: string;
  description: string;
  tlp: string;
  action_hint: string;
  negative: boolean;
  pdq_threshold: string;
  text_min_similarity: string;
  account_min_score: string;
  enabled_ratio: string;
  share_with_org_ids: number[];
  reader_person_ids: number[];
}

const emptyBank = (): BankForm => ({
  name: "",
  description: "",
  tlp: DEFAULT_TLP,
  action_hint: "",
  negative: false,
  pdq_threshold: "",
  text_min_similarity: "",
  account_min_score: "",
  enabled_ratio: "",
  share_with_org_ids: [],
  reader_person_ids: [],
});

function formOf(b: BankView): BankForm {
  return {
    name: b.name,
    description: b.description,
    tlp: b.tlp,
    action_hint: b.action_hint,
    negative: b.negative,
    pdq_threshold: String(b.pdq_threshold),
    text_min_similarity: String(b.text_min_similarity),
    account_min_score: String(b.account_min_score),
    enabled_ratio: String(b.enabled_ratio),
    share_with_org_ids: [...(b.share_with_org_ids ?? [])],
    reader_person_ids: [...(b.reader_person_ids ?? [])],
  };
}

/** The API's body for a bank form: numbers only where given. */
function bodyOf(f: BankForm, creating: boolean, canListPeople: boolean): Record<string, unknown> {
  const num = (v: string) => (v.trim() === "" ? undefined : Number(v));
  const body: Record<string, unknown> = {
    name: f.name,
    description: f.description,
    tlp: f.tlp,
    action_hint: f.action_hint,
    share_with_org_ids: f.share_with_org_ids,
  };
  if (creating) body.negative = f.negative;
  if (canListPeople) body.reader_person_ids = f.reader_person_ids;
  for (const k of ["pdq_threshold", "text_min_similarity", "account_min_score", "enabled_ratio"] as const) {
    const n = num(f[k]);
    if (n !== undefined) body[k] = n;
  }
  return body;
}

function Banks(props: { api: Api; me: Me }) {
  const canListPeople = props.me.permissions.includes("people.write");
  const banks = useLoad(() => props.api.get<{ banks: BankView[] }>("/v1/banks"), []);
  const orgs = useLoad(() => props.api.get<{ orgs: OrgView[] }>("/v1/orgs"), []);
  const people = useLoad(
    () => (canListPeople ? props.api.get<{ people: PersonView[] }>("/v1/people") : Promise.resolve({ people: [] })),
    [],
  );
  const act = useAct();
  const mayDefault = props.me.permissions.includes("settings.write");
  const defaults = useLoad(() => props.api.get<SharingDefaults>("/v1/sharing-defaults"), []);
  const [defaultTlp, setDefaultTlp] = useState<string>();
  const effective = defaults.data?.effective_tlp ?? DEFAULT_TLP;
  const saveDefault = (e: Event) => {
    e.preventDefault();
    const chosen = defaultTlp ?? defaults.data?.tlp ?? "";
    void act.run(async () => {
      const d = await props.api.request<SharingDefaults>("PUT", "/v1/sharing-defaults", {
        tlp: chosen === "" ? null : chosen,
      });
      defaults.reload();
      setDefaultTlp(undefined);
      return t("admin:defaults.saved", { tlp: t("tlp", { tlp: d.effective_tlp }) });
    });
  };
  const [editing, setEditing] = useState<number | "new">();
  const [form, setForm] = useState<BankForm>(emptyBank);
  const own = (banks.data?.banks ?? []).filter((b) => b.org_id === props.me.org.id);
  const others = (orgs.data?.orgs ?? []).filter((o) => o.id !== props.me.org.id);
  const orgName = (id: number) => orgs.data?.orgs.find((o) => o.id === id)?.name ?? `#${id}`;

  const save = (e: Event) => {
    e.preventDefault();
    const creating = editing === "new";
    void act.run(async () => {
      const body = bodyOf(form, creating, canListPeople);
      const bank = creating
        ? await props.api.post<BankView>("/v1/banks", body)
        : await props.api.patch<BankView>(`/v1/banks/${String(editing)}`, body);
      setEditing(undefined);
      banks.reload();
      return t(creating ? "admin:banks.created" : "admin:banks.saved", { name: bank.name });
    });
  };
  const toggle = (list: number[], id: number, on: boolean) => (on ? [...list, id] : list.filter((x) => x !== id));

  return (
    <>
      <Panel title={t("admin:banks.title")} id="admin-banks">
        <p class="muted">{t("admin:banks.tlpDefault", { tlp: t("tlp", { tlp: effective }) })}</p>
        <ErrorBox error={banks.error ?? orgs.error ?? people.error ?? defaults.error} />
        <button
          type="button"
          class="primary"
          onClick={() => {
            setForm({ ...emptyBank(), tlp: effective });
            setEditing("new");
          }}
        >
          {t("admin:banks.new")}
        </button>
        <TableWrap label={t("admin:banks.title")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("admin:banks.name")}</th>
                <th scope="col">{t("admin:banks.tlp")}</th>
                <th scope="col">{t("admin:banks.sharedWith")}</th>
                <th scope="col">{t("admin:banks.thresholds")}</th>
                <th scope="col">{t("admin:actions")}</th>
              </tr>
            </thead>
            <tbody>
              {own.map((b) => (
                <tr key={b.id}>
                  <td>
                    <Txt value={b.name} />
                    {b.negative && <span class="badge">{t("admin:banks.allowList")}</span>}
                    <br />
                    <Txt value={b.description} class="muted small" />
                  </td>
                  <td>
                    <TlpBadge tlp={b.tlp} />
                  </td>
                  <td>
                    {(b.share_with_org_ids ?? []).length === 0 ? (
                      <span class="muted">{t("admin:banks.nobody")}</span>
                    ) : (
                      (b.share_with_org_ids ?? []).map((id) => <Txt key={id} value={orgName(id)} class="chip" />)
                    )}
                  </td>
                  <td class="small">
                    {t("admin:banks.thresholdsValue", {
                      pdq: b.pdq_threshold,
                      text: b.text_min_similarity,
                      account: b.account_min_score,
                      ratio: b.enabled_ratio,
                    })}
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => {
                        setForm(formOf(b));
                        setEditing(b.id);
                      }}
                    >
                      {t("admin:banks.editOf", { name: b.name })}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {own.length === 0 && !banks.loading && <p class="muted">{t("admin:banks.none")}</p>}
      </Panel>
      {mayDefault && (
        <Panel title={t("admin:defaults.title")} id="sharing-defaults">
          <p class="muted">{t("admin:defaults.intro")}</p>
          <form class="inline-form" onSubmit={saveDefault}>
            <label>
              {t("admin:defaults.tlp")}
              <select
                value={defaultTlp ?? defaults.data?.tlp ?? ""}
                onChange={(e) => setDefaultTlp(e.currentTarget.value)}
              >
                <option value="">{t("admin:defaults.builtIn", { tlp: t("tlp", { tlp: DEFAULT_TLP }) })}</option>
                {TLP_MARKINGS.map((m) => (
                  <option key={m} value={m}>
                    {t("tlp", { tlp: m })}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" class="primary" disabled={act.busy || defaults.loading}>
              {t("admin:defaults.save")}
            </button>
          </form>
        </Panel>
      )}
      <ErrorBox error={act.error} />
      <Done text={act.done} />
      {editing !== undefined && (
        <Panel
          title={editing === "new" ? t("admin:banks.new") : t("admin:banks.edit", { name: form.name })}
          id="bank-form"
        >
          <form class="stack" onSubmit={save}>
            <label>
              {t("admin:banks.name")}
              <input
                required
                maxLength={80}
                dir="auto"
                value={form.name}
                onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              />
            </label>
            <label>
              {t("admin:banks.description")}
              <textarea
                maxLength={2000}
                dir="auto"
                rows={2}
                value={form.description}
                onInput={(e) => setForm({ ...form, description: e.currentTarget.value })}
              />
            </label>
            <div class="row">
              <label>
                {t("admin:banks.tlp")}
                <select value={form.tlp} onChange={(e) => setForm({ ...form, tlp: e.currentTarget.value })}>
                  {TLP_MARKINGS.map((m) => (
                    <option key={m} value={m}>
                      {t("tlp", { tlp: m })}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {t("admin:banks.actionHint")}
                <input
                  maxLength={200}
                  value={form.action_hint}
                  onInput={(e) => setForm({ ...form, action_hint: e.currentTarget.value })}
                />
              </label>
            </div>
            <p class="muted small">{t(`admin:banks.tlpMeaning.${form.tlp}`)}</p>
            {editing === "new" && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={form.negative}
                  onChange={(e) => setForm({ ...form, negative: e.currentTarget.checked })}
                />
                {t("admin:banks.negative")}
              </label>
            )}
            <div class="row">
              <NumberField
                label={t("admin:banks.pdqThreshold")}
                min={0}
                max={255}
                value={form.pdq_threshold}
                onValue={(v) => setForm({ ...form, pdq_threshold: v })}
              />
              <NumberField
                label={t("admin:banks.textSimilarity")}
                min={0.01}
                max={1}
                step={0.01}
                value={form.text_min_similarity}
                onValue={(v) => setForm({ ...form, text_min_similarity: v })}
              />
              <NumberField
                label={t("admin:banks.accountMinScore")}
                min={0.01}
                max={1}
                step={0.01}
                value={form.account_min_score}
                onValue={(v) => setForm({ ...form, account_min_score: v })}
              />
              <NumberField
                label={t("admin:banks.enabledRatio")}
                min={0}
                max={1}
                step={0.01}
                value={form.enabled_ratio}
                onValue={(v) => setForm({ ...form, enabled_ratio: v })}
              />
            </div>
            <fieldset>
              <legend>{t("admin:banks.shareWith")}</legend>
              <p class="muted small">{t("admin:banks.shareHint")}</p>
              {others.map((o) => (
                <label class="check" key={o.id}>
                  <input
                    type="checkbox"
                    checked={form.share_with_org_ids.includes(o.id)}
                    onChange={(e) =>
                      setForm({
                        ...form,
                        share_with_org_ids: toggle(form.share_with_org_ids, o.id, e.currentTarget.checked),
                      })
                    }
                  />
                  <Txt value={o.name} />
                </label>
              ))}
            </fieldset>
            {canListPeople && form.tlp === "RED" && (
              <fieldset>
                <legend>{t("admin:banks.readers")}</legend>
                <p class="muted small">{t("admin:banks.readersHint")}</p>
                {(people.data?.people ?? []).map((p) => (
                  <label class="check" key={p.id}>
                    <input
                      type="checkbox"
                      checked={form.reader_person_ids.includes(p.id)}
                      onChange={(e) =>
                        setForm({
                          ...form,
                          reader_person_ids: toggle(form.reader_person_ids, p.id, e.currentTarget.checked),
                        })
                      }
                    />
                    <Txt value={p.name} />
                  </label>
                ))}
              </fieldset>
            )}
            <div class="row">
              <button type="submit" class="primary" disabled={act.busy}>
                {editing === "new" ? t("admin:banks.createButton") : t("admin:banks.saveButton")}
              </button>
              <button type="button" onClick={() => setEditing(undefined)}>
                {t("admin:cancel")}
              </button>
            </div>
          </form>
        </Panel>
      )}
    </>
  );
}

function Audit(props: { api: Api }) {
  const [form, setForm] = useState({ target: "", action: "", limit: "50" });
  const [filter, setFilter] = useState({ target: "", action: "", limit: "50" });
  /** The `before` of each page shown so far: the last is the current page's. */
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const before = pages[pages.length - 1];
  const log = useLoad(
    () =>
      props.api.get<{ entries: AuditEntryView[] }>(
        `/v1/audit${query({ target: filter.target, action: filter.action, limit: filter.limit, before })}`,
      ),
    [filter, before],
  );
  const verify = useLoad(() => props.api.get<AuditVerification>("/v1/audit/verify"), []);
  const entries = log.data?.entries ?? [];
  const last = log.data?.entries.at(-1);
  const full = (log.data?.entries.length ?? 0) >= Number(filter.limit);
  return (
    <>
      <Panel title={t("admin:audit.chain")} id="audit-chain">
        <ErrorBox error={verify.error} />
        {verify.loading && <p class="muted">{t("loading")}</p>}
        {verify.data &&
          (verify.data.ok ? (
            <p class="success" data-testid="chain-ok">
              {t("admin:audit.chainOk", {
                count: verify.data.chains.reduce((n, c) => n + c.entries, 0),
                chains: verify.data.chains.length,
              })}
            </p>
          ) : (
            <ul class="error" role="alert">
              {verify.data.chains
                .filter((c) => c.broken)
                .map((c) => (
                  <li key={c.orgId ?? 0}>
                    {t("admin:audit.chainBroken", {
                      entry: String(c.broken!.entryId),
                      seq: String(c.broken!.seq),
                      reason: c.broken!.reason,
                    })}
                  </li>
                ))}
            </ul>
          ))}
        <button type="button" onClick={verify.reload}>
          {t("admin:audit.verifyAgain")}
        </button>
      </Panel>
      <Panel title={t("admin:audit.title")} id="audit">
        <form
          class="inline-form"
          role="search"
          aria-label={t("admin:audit.filters")}
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ target: form.target.trim(), action: form.action.trim().toLowerCase(), limit: form.limit });
            setPages([undefined]);
          }}
        >
          <label class="grow">
            {t("admin:audit.target")}
            <input
              value={form.target}
              dir="ltr"
              placeholder="bank:12"
              aria-describedby="audit-target-hint"
              onInput={(e) => setForm({ ...form, target: e.currentTarget.value })}
            />
          </label>
          <label class="grow">
            {t("admin:audit.action")}
            <input
              value={form.action}
              dir="ltr"
              placeholder="key."
              onInput={(e) => setForm({ ...form, action: e.currentTarget.value })}
            />
          </label>
          <label>
            {t("admin:audit.limit")}
            <select value={form.limit} onChange={(e) => setForm({ ...form, limit: e.currentTarget.value })}>
              {["50", "100", "500"].map((n) => (
                <option key={n} value={n}>
                  {formatNumber(Number(n))}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary">
            {t("admin:audit.apply")}
          </button>
        </form>
        <p class="muted small" id="audit-target-hint">
          {t("admin:audit.targetHint")}
        </p>
        <ErrorBox error={log.error} />
        <TableWrap label={t("admin:audit.title")}>
          <table class="audit-table">
            <thead>
              <tr>
                <th scope="col">{t("admin:audit.at")}</th>
                <th scope="col">{t("admin:audit.actor")}</th>
                <th scope="col">{t("admin:audit.action")}</th>
                <th scope="col">{t("admin:audit.target")}</th>
                <th scope="col">{t("admin:audit.source")}</th>
                <th scope="col">{t("admin:audit.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>
                    <When at={e.at} />
                  </td>
                  <td>
                    <Txt value={e.actor} />
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <code>{e.target}</code>
                  </td>
                  <td>
                    <code>{e.source}</code>
                  </td>
                  <td class="detail">
                    {e.detail && Object.keys(e.detail).length > 0 && <code dir="ltr">{JSON.stringify(e.detail)}</code>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {!log.loading && entries.length === 0 && <p class="muted">{t("admin:audit.empty")}</p>}
        <div class="row">
          <button type="button" disabled={pages.length <= 1} onClick={() => setPages(pages.slice(0, -1))}>
            {t("admin:audit.newer")}
          </button>
          <button
            type="button"
            disabled={!full || !last || filter.target !== ""}
            onClick={() => last && setPages([...pages, last.id])}
          >
            {t("admin:audit.older")}
          </button>
          <span class="muted small">{t("admin:audit.page", { n: pages.length })}</span>
        </div>
      </Panel>
    </>
  );
}

/**
 * A message with a shell command in it (its `{{command}}` given as U+0000): the command kept on
 * one line and left to right inside Arabic text, so "rasd org create" neither wraps at a phone's
 * width nor has its words reordered.
 */
function Command(props: { text: string; message: string }) {
  const [before, after = ""] = props.message.split("\u0000");
  return (
    <>
      {before}
      <code dir="ltr" class="command">
        {props.text}
      </code>
      {after}
    </>
  );
}
