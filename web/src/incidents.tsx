/**
 * The crisis protocol's screens (docs/crisis.md): the incidents list with the declare form, the
 * live incident page (timeline, variants to accept or reject, uploads per hour) and the
 * debrief (with its editable "what to improve"), and the banner every screen shows while an
 * incident is active (polled every 5 s). Drills carry an "Exercise" badge everywhere.
 */

import { useEffect, useState } from "preact/hooks";
import { MAX_DECLARE_FILES } from "../../src/core/incidents.js";
import type { Api } from "./lib/api.js";
import { formatDateTime, formatNumber, t } from "./lib/i18n.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Panel, Txt, useLoad } from "./ui.js";

interface Incident {
  id: number;
  org: string;
  tier: number;
  title: string;
  description: string;
  drill: boolean;
  status: "active" | "closed";
  bank: string;
  declared_at: string;
  closed_at: string | null;
  improve: string;
  runs: boolean;
}

interface TimelineEvent {
  id: number;
  at: string;
  kind: string;
  org: string | null;
  item_id: number | null;
  variant_id: number | null;
}

interface Variant {
  id: number;
  type: string;
  value: string;
  distance: number | null;
  similarity: number | null;
  seen: number;
  status: string;
}

interface Debrief {
  incident: Incident;
  to_first_hash_ms: number | null;
  to_first_match_ms: number | null;
  to_ninety_actioned_ms: number | null;
  matched_copies: number;
  actioned_copies: number;
  members: {
    org_id: number;
    org: string;
    alerted_at: string | null;
    first_match_at: string | null;
    first_action_at: string | null;
  }[];
  never_acted: { org: string }[];
  variants: { proposed: number; accepted: number; rejected: number };
  uploads_per_hour: { hour: string; uploads: number }[];
}

interface Detail {
  incident: Incident;
  signals: number;
  timeline: TimelineEvent[];
  debrief: Debrief;
}

const POLL_MS = 5000;

function Exercise(props: { drill: boolean }) {
  return props.drill ? <span class="badge drill">{t("incidents:exercise")}</span> : null;
}

function when(iso: string | null): string {
  return iso ? formatDateTime(iso, { dateStyle: "short", timeStyle: "medium" }) : "—";
}

function seconds(ms: number | null): string {
  return ms === null ? "—" : t("incidents:seconds", { n: formatNumber(ms / 1000, { maximumFractionDigits: 1 }) });
}

/** The banner over every screen while incidents are active. */
export function IncidentBanner(props: { api: Api }) {
  const [active, setActive] = useState<Incident[]>([]);
  useEffect(() => {
    let live = true;
    const poll = () =>
      props.api.get<{ incidents: Incident[] }>("/v1/incidents?status=active").then(
        (r) => live && setActive(r.incidents),
        () => undefined,
      );
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (active.length === 0) return null;
  return (
    <div class="incident-banner" role="alert">
      {active.map((i) => (
        <p key={i.id}>
          <Exercise drill={i.drill} />{" "}
          <a href={`#/incidents/${i.id}`}>
            {t("incidents:banner", { tier: formatNumber(i.tier), title: i.title, org: i.org })}
          </a>
        </p>
      ))}
    </div>
  );
}

export function Incidents(props: { api: Api; me: Me; id?: number; debrief?: boolean }) {
  if (props.id !== undefined && props.debrief) return <DebriefPage api={props.api} id={props.id} />;
  if (props.id !== undefined) return <Live api={props.api} id={props.id} />;
  return <List api={props.api} me={props.me} />;
}

function List(props: { api: Api; me: Me }) {
  const list = useLoad(() => props.api.get<{ incidents: Incident[] }>("/v1/incidents"), []);
  const [error, setError] = useState<unknown>();
  const [form, setForm] = useState({ tier: "1", title: "", description: "", hashes: "", drill: false });
  const [files, setFiles] = useState<File[]>([]);
  // The API lets only a government organisation's admin declare: offer the form to them alone.
  const orgs = useLoad(() => props.api.get<{ orgs: { id: number; kind: string }[] }>("/v1/orgs"), []);
  const mayDeclare =
    props.me.permissions.includes("incident.write") &&
    orgs.data?.orgs.find((o) => o.id === props.me.org.id)?.kind === "government";
  // The API takes MAX_DECLARE_FILES files a declaration: said before anything is sent.
  const tooMany = files.length > MAX_DECLARE_FILES;
  const declare = async (e: SubmitEvent) => {
    e.preventDefault();
    if (tooMany) return;
    try {
      const signals = form.hashes
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .map((l) => {
          const at = l.indexOf(":");
          return { type: l.slice(0, at), value: l.slice(at + 1) };
        });
      let body: unknown = {
        tier: Number(form.tier),
        title: form.title,
        description: form.description,
        drill: form.drill,
        signals,
      };
      if (files.length) {
        // Files go as multipart: the server hashes them (PDQ or vPDQ, MD5, SHA-256) as submissions.
        const data = new FormData();
        data.append("tier", form.tier);
        data.append("title", form.title);
        data.append("description", form.description);
        data.append("drill", String(form.drill));
        for (const s of signals) data.append("signal", `${s.type}:${s.value}`);
        for (const f of files) data.append(f.type.startsWith("video/") ? "video" : "image", f, f.name);
        body = data;
      }
      const created = await props.api.post<Incident>("/v1/incidents", body);
      location.hash = `#/incidents/${created.id}`;
    } catch (err) {
      setError(err);
    }
  };
  return (
    <main id="main">
      <h1>{t("incidents:title")}</h1>
      <ErrorBox error={list.error ?? error} />
      <Panel title={t("incidents:list")}>
        {list.data?.incidents.length ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("incidents:col.title")}</th>
                <th scope="col">{t("incidents:col.tier")}</th>
                <th scope="col">{t("incidents:col.status")}</th>
                <th scope="col">{t("incidents:col.declared")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.incidents.map((i) => (
                <tr key={i.id}>
                  <td>
                    <a href={`#/incidents/${i.id}`}>
                      <Txt value={i.title} />
                    </a>{" "}
                    <Exercise drill={i.drill} />
                  </td>
                  <td>{formatNumber(i.tier)}</td>
                  <td>{t(`incidents:status.${i.status}`)}</td>
                  <td>{when(i.declared_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          // "No incidents" only once the list has come: while it loads, say so.
          <p class="muted">{list.loading ? t("loading") : t("incidents:none")}</p>
        )}
      </Panel>
      {mayDeclare ? (
        <Panel title={t("incidents:declare")}>
          <form onSubmit={(e) => void declare(e)}>
            <label>
              {t("incidents:field.tier")}
              <select
                value={form.tier}
                onChange={(e) => setForm({ ...form, tier: (e.target as HTMLSelectElement).value })}
              >
                {["1", "2", "3"].map((n) => (
                  <option key={n} value={n}>
                    {t(`incidents:tier.${n}`)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {t("incidents:field.title")}
              <input
                required
                maxLength={200}
                value={form.title}
                onInput={(e) => setForm({ ...form, title: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {t("incidents:field.description")}
              <textarea
                maxLength={4000}
                value={form.description}
                onInput={(e) => setForm({ ...form, description: (e.target as HTMLTextAreaElement).value })}
              />
            </label>
            <label>
              {t("incidents:field.hashes")}
              <textarea
                dir="ltr"
                value={form.hashes}
                onInput={(e) => setForm({ ...form, hashes: (e.target as HTMLTextAreaElement).value })}
              />
            </label>
            <label>
              {t("incidents:field.files")}
              <input
                type="file"
                multiple
                accept="image/*,video/*"
                aria-invalid={tooMany ? "true" : undefined}
                aria-describedby={tooMany ? "declare-files-error" : undefined}
                onChange={(e) => setFiles([...((e.target as HTMLInputElement).files ?? [])])}
              />
            </label>
            {tooMany ? (
              <p class="error" role="alert" id="declare-files-error">
                {t("incidents:tooManyFiles", {
                  count: formatNumber(files.length),
                  max: formatNumber(MAX_DECLARE_FILES),
                })}
              </p>
            ) : null}
            <label>
              <input
                type="checkbox"
                checked={form.drill}
                onChange={(e) => setForm({ ...form, drill: (e.target as HTMLInputElement).checked })}
              />
              {t("incidents:field.drill")}
            </label>
            <button type="submit" disabled={tooMany}>
              {t("incidents:declareButton")}
            </button>
          </form>
        </Panel>
      ) : null}
    </main>
  );
}

function Live(props: { api: Api; id: number }) {
  const detail = useLoad(() => props.api.get<Detail>(`/v1/incidents/${props.id}`), [props.id]);
  const variants = useLoad(
    () => props.api.get<{ variants: Variant[] }>(`/v1/incidents/${props.id}/variants`),
    [props.id],
  );
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const timer = setInterval(() => {
      detail.reload();
      variants.reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [props.id]);
  const i = detail.data?.incident;
  const act = async (path: string) => {
    try {
      await props.api.post(path, {});
      detail.reload();
      variants.reload();
    } catch (e) {
      setError(e);
    }
  };
  const d = detail.data?.debrief;
  const max = Math.max(1, ...(d?.uploads_per_hour.map((h) => h.uploads) ?? []));
  return (
    <main id="main">
      <ErrorBox error={detail.error ?? error} />
      {i ? (
        <>
          <h1>
            <Txt value={i.title} /> <Exercise drill={i.drill} />
          </h1>
          <p>
            {t("incidents:summary", {
              tier: formatNumber(i.tier),
              org: i.org,
              signals: formatNumber(detail.data!.signals),
            })}{" "}
            · {t(`incidents:status.${i.status}`)} · <a href={`#/incidents/${i.id}/debrief`}>{t("incidents:debrief")}</a>
          </p>
          {i.description ? <Txt value={i.description} block /> : null}
          {i.runs && i.status === "active" ? (
            <button type="button" onClick={() => void act(`/v1/incidents/${i.id}/close`)}>
              {t("incidents:close")}
            </button>
          ) : null}
          <Panel title={t("incidents:timeline")}>
            <ol class="timeline">
              {detail.data!.timeline.map((e) => (
                <li key={e.id}>
                  <time>{when(e.at)}</time> {t(`incidents:event.${e.kind}`, { org: e.org ?? "" })}
                </li>
              ))}
            </ol>
          </Panel>
          <Panel title={t("incidents:variants")}>
            {variants.data?.variants.length ? (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("incidents:col.type")}</th>
                    <th scope="col">{t("incidents:col.value")}</th>
                    <th scope="col">{t("incidents:col.distance")}</th>
                    <th scope="col">{t("incidents:col.seen")}</th>
                    <th scope="col">{t("incidents:col.status")}</th>
                  </tr>
                </thead>
                <tbody>
                  {variants.data.variants.map((v) => (
                    <tr key={v.id}>
                      <td>{v.type}</td>
                      <td dir="ltr">
                        <code>{v.value.slice(0, 64)}</code>
                      </td>
                      <td>{formatNumber(v.distance ?? v.similarity ?? 0)}</td>
                      <td>{formatNumber(v.seen)}</td>
                      <td>
                        {v.status === "proposed" && i.runs ? (
                          <>
                            <button
                              type="button"
                              onClick={() => void act(`/v1/incidents/${i.id}/variants/${v.id}/accept`)}
                            >
                              {t("incidents:accept")}
                            </button>{" "}
                            <button
                              type="button"
                              onClick={() => void act(`/v1/incidents/${i.id}/variants/${v.id}/reject`)}
                            >
                              {t("incidents:reject")}
                            </button>
                          </>
                        ) : (
                          t(`incidents:variantStatus.${v.status}`)
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p>{t("incidents:noVariants")}</p>
            )}
          </Panel>
          <Panel title={t("incidents:uploadsPerHour")}>
            <ul class="bars">
              {d?.uploads_per_hour.map((h) => (
                <li key={h.hour}>
                  <span>{when(h.hour)}</span> <meter min={0} max={max} value={h.uploads} /> {formatNumber(h.uploads)}
                </li>
              ))}
            </ul>
          </Panel>
        </>
      ) : null}
    </main>
  );
}

function DebriefPage(props: { api: Api; id: number }) {
  const debrief = useLoad(() => props.api.get<Debrief>(`/v1/incidents/${props.id}/debrief`), [props.id]);
  const [improve, setImprove] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const d = debrief.data;
  const save = async () => {
    try {
      await props.api.request("PATCH", `/v1/incidents/${props.id}`, { improve: improve ?? d?.incident.improve ?? "" });
      debrief.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <main id="main">
      <ErrorBox error={debrief.error ?? error} />
      {d ? (
        <>
          <h1>
            {t("incidents:debriefTitle", { title: d.incident.title })} <Exercise drill={d.incident.drill} />
          </h1>
          <p>
            <a href={`/v1/incidents/${props.id}/debrief.csv`}>{t("incidents:csv")}</a> ·{" "}
            <a href={`/v1/incidents/${props.id}/events.csv`}>{t("incidents:eventsCsv")}</a>
          </p>
          <table>
            <tbody>
              <tr>
                <th scope="row">{t("incidents:toFirstHash")}</th>
                <td>{seconds(d.to_first_hash_ms)}</td>
              </tr>
              <tr>
                <th scope="row">{t("incidents:toFirstMatch")}</th>
                <td>{seconds(d.to_first_match_ms)}</td>
              </tr>
              <tr>
                <th scope="row">{t("incidents:toNinety", { n: formatNumber(d.matched_copies) })}</th>
                <td>{seconds(d.to_ninety_actioned_ms)}</td>
              </tr>
              <tr>
                <th scope="row">{t("incidents:variants")}</th>
                <td>
                  {t("incidents:variantCounts", {
                    proposed: formatNumber(d.variants.proposed),
                    accepted: formatNumber(d.variants.accepted),
                    rejected: formatNumber(d.variants.rejected),
                  })}
                </td>
              </tr>
            </tbody>
          </table>
          <Panel title={t("incidents:members")}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("incidents:col.member")}</th>
                  <th scope="col">{t("incidents:col.alerted")}</th>
                  <th scope="col">{t("incidents:col.firstMatch")}</th>
                  <th scope="col">{t("incidents:col.firstAction")}</th>
                </tr>
              </thead>
              <tbody>
                {d.members.map((m) => (
                  <tr key={m.org_id}>
                    <td>
                      <bdi>{m.org}</bdi>
                    </td>
                    <td>{when(m.alerted_at)}</td>
                    <td>{when(m.first_match_at)}</td>
                    <td>{when(m.first_action_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>{t("incidents:neverActed", { orgs: d.never_acted.map((m) => m.org).join(", ") || "—" })}</p>
          </Panel>
          <Panel title={t("incidents:improve")}>
            <textarea
              value={improve ?? d.incident.improve}
              onInput={(e) => setImprove((e.target as HTMLTextAreaElement).value)}
            />
            {d.incident.runs ? (
              <button type="button" onClick={() => void save()}>
                {t("incidents:save")}
              </button>
            ) : null}
          </Panel>
        </>
      ) : null}
    </main>
  );
}
