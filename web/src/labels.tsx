/**
 * The labelling queue: one item at a time from the random sample, labelled pro, anti,
 * neutral or can't tell (keys 1–4), in English and Arabic. The model's label is not shown.
 */

import { useEffect, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { LABEL_SCREEN, LABEL_STANCES, STANCE_NAMES, stanceForKey, type LabelStance } from "./lib/labelling.js";
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

function Both(props: { t: { en: string; ar: string } }) {
  return (
    <>
      <span lang="en">{props.t.en}</span> ·{" "}
      <bdi lang="ar" dir="rtl">
        {props.t.ar}
      </bdi>
    </>
  );
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
      <h1>
        <Both t={LABEL_SCREEN.title} />
      </h1>
      <p class="muted" lang="en">
        {LABEL_SCREEN.intro.en}
      </p>
      <p class="muted" lang="ar" dir="rtl">
        {LABEL_SCREEN.intro.ar}
      </p>
      <ErrorBox error={queue.error ?? error} />
      {done > 0 && <p role="status">{done} labelled in this session.</p>}
      {queue.loading ? (
        <p class="muted">Loading…</p>
      ) : !current ? (
        <>
          <p>
            <Both t={LABEL_SCREEN.empty} />
          </p>
          {canLabel && (
            <button type="button" onClick={() => void draw()}>
              <Both t={LABEL_SCREEN.draw} />
            </button>
          )}
        </>
      ) : (
        <section aria-labelledby="task-h">
          <h2 id="task-h">
            Item {current.item_id} · <bdi>{current.platform}</bdi> · {tasks.length} left
          </h2>
          {current.text ? <Txt value={current.text} block /> : <p class="muted">No text.</p>}
          {current.url && (
            <p>
              <Txt value={current.url} />
            </p>
          )}
          {canLabel && (
            <div role="group" aria-label="Stance" class="actions">
              {LABEL_STANCES.map((s) => (
                <button type="button" key={s} onClick={() => void label(s)} aria-keyshortcuts={STANCE_NAMES[s].key}>
                  {STANCE_NAMES[s].key}. <Both t={STANCE_NAMES[s]} />
                </button>
              ))}
            </div>
          )}
        </section>
      )}
    </main>
  );
}
