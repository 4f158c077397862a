/**
 * Pieces the admin and platform-engineer screens share: the section navigation, a secret shown
 * once (an API key, a webhook secret), a table that scrolls inside itself on a phone, and a
 * date that may be missing.
 */

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { formatDateTime, t } from "./lib/i18n.js";

/** Links to a screen's sections (`#/<screen>/<section>`), the current one marked. */
export function SectionNav(props: {
  screen: string;
  label: string;
  current: string;
  sections: readonly { id: string; label: string }[];
}) {
  return (
    <nav class="subnav" aria-label={props.label}>
      <ul>
        {props.sections.map((s) => (
          <li key={s.id}>
            <a href={`#/${props.screen}/${s.id}`} aria-current={props.current === s.id ? "page" : undefined}>
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * A secret the server shows once: focused when it appears, with a copy button, and gone when
 * dismissed (it is kept nowhere else in the page).
 */
export function SecretOnce(props: { title: string; secret: string; note: string; onDone: () => void }) {
  const box = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    box.current?.focus();
    box.current?.scrollIntoView({ block: "nearest" });
  }, [props.secret]);
  return (
    <section class="secret-once" role="alert" aria-labelledby="secret-once-h" tabIndex={-1} ref={box}>
      <h3 id="secret-once-h">{props.title}</h3>
      <p>{props.note}</p>
      <label>
        {t("admin:secret.label")}
        <input readOnly value={props.secret} class="secret-value" dir="ltr" data-testid="secret" />
      </label>
      <div class="row">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(props.secret).then(
              () => setCopied(true),
              () => setCopied(false),
            );
          }}
        >
          {t("admin:secret.copy")}
        </button>
        <button type="button" class="primary" onClick={props.onDone}>
          {t("admin:secret.done")}
        </button>
        {copied && <span role="status">{t("admin:secret.copied")}</span>}
      </div>
    </section>
  );
}

/**
 * A table that becomes a list of cards on a phone (admin.css): each cell is labelled with its
 * column's heading (`data-label`, copied from the header after every render), so nothing
 * scrolls sideways; wider, it scrolls inside itself if it must, never the page.
 */
export function TableWrap(props: { label: string; children: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const table = ref.current?.querySelector("table");
    if (!table) return;
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent ?? "");
    for (const row of table.querySelectorAll("tbody tr"))
      [...row.children].forEach((cell, i) => cell.setAttribute("data-label", heads[i] ?? ""));
  });
  return (
    // Focusable so the keyboard can scroll it; named for screen readers.
    <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label} ref={ref}>
      {props.children}
    </div>
  );
}

/** A time, or a dash when there is none. */
export function When(props: { at: string | null | undefined }) {
  if (!props.at) return <span class="muted">{t("admin:never")}</span>;
  return <time dateTime={props.at}>{formatDateTime(props.at)}</time>;
}

/** A success message, announced. */
export function Done(props: { text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p class="success" role="status">
      {props.text}
    </p>
  );
}

/** A short number input with its label; the value stays a string (empty: not given). */
export function NumberField(props: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  min: number;
  max: number;
  step?: number;
}) {
  return (
    <label>
      {props.label}
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        class="short"
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
    </label>
  );
}

/** Runs an action, keeping its error and success message for the section to show. */
export function useAct() {
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (f: () => Promise<string | undefined>) => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      setDone(await f());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, done, busy, run };
}
