/**
 * The labelling queue: one item at a time from the random sample, labelled pro, anti,
 * neutral or can't tell (keys 1–4), in English and Arabic. The model's label is not shown.
 */

import { useEffect, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { t } from "./lib/i18n.js";
import { LABEL_STANCES, STANCE_NAMES, stanceForKey, type LabelStance } from "./lib/labelling.js";
import type { Me } from "./lib/types.js";
import { ErrorBox, Txt, useLoad } from "./ui.js";

interface Task {
  id: number;
  item_id: number;
  kind: string;
  text: string | null;
  url: string | null;
  platform: string;
  lang: string;
}

export function Labels(props: { api: Api; me: Me }) {
  const queue = useLoad(() => props.api.get<{ tasks: Task[] }>("/v1/labels?status=open&limit=100"), []);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(0);
  const tasks = queue.data?.tasks ?? [];
  const current = tasks[0];
  const canLabel = props.me.permissions.includes("review.decide");

  const label = async (stance: LabelStance) => {
    if (!current) return;
    try {
      await props.api.post(`/v1/labels/${current.id}`, { stance });
      setDone((d) => d + 1);
      queue.reload();
    } catch (e) {
      setError(e);
    }
  };
  const draw = async () => {
    try {
      await props.api.post("/v1/labels/draw", {});
      queue.reload();
    } catch (e) {
      setError(e);
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName ?? "";
      if (e.ctrlKey || e.metaKey || e.altKey || tag === "INPUT" || tag === "TEXTAREA") return;
      const s = stanceForKey(e.key);
      if (s && canLabel) void label(s);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return (
    <main id="main" tabIndex={-1}>
      <h1>{t("labels:title")}</h1>
      <p class="muted">{t("labels:intro")}</p>
      <ErrorBox error={queue.error ?? error} />
      {done > 0 && <p role="status">{t("labels:done", { count: done })}</p>}
      {queue.loading ? (
        <p class="muted">{t("loading")}</p>
      ) : !current ? (
        <>
          <p>{t("labels:empty")}</p>
          {canLabel && (
            <button type="button" onClick={() => void draw()}>
              {t("labels:draw")}
            </button>
          )}
        </>
      ) : (
        <section aria-labelledby="task-h">
          <h2 id="task-h">
            {t("labels:task", { item: current.item_id, platform: current.platform, count: tasks.length })}
          </h2>
          {current.text ? <Txt value={current.text} block /> : <p class="muted">{t("labels:noText")}</p>}
          {current.url && (
            <p>
              <Txt value={current.url} />
            </p>
          )}
          {canLabel && (
            <div role="group" aria-label={t("labels:stanceAria")} class="actions">
              {LABEL_STANCES.map((s) => (
                <button type="button" key={s} onClick={() => void label(s)} aria-keyshortcuts={STANCE_NAMES[s].key}>
                  {t("labels:button", { key: STANCE_NAMES[s].key, name: t(`labels:stance.${s}`) })}
                </button>
              ))}
            </div>
          )}
        </section>
      )}
    </main>
  );
}
