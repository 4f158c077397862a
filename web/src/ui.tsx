/** Small pieces every screen uses: user text with its direction, labels, errors, loading. */

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError } from "./lib/api.js";
import { t } from "./lib/i18n.js";
import { textAttrs } from "./lib/rtl.js";
import type { Labels } from "./lib/types.js";

/** User text, isolated from its surroundings, right-to-left and lang="ar" when Arabic. */
export function Txt(props: { value: string; class?: string; block?: boolean }) {
  const a = textAttrs(props.value);
  if (props.block)
    return (
      <p class={`user-text ${props.class ?? ""}`} dir={a.dir} lang={a.lang}>
        {props.value}
      </p>
    );
  return (
    <bdi class={props.class} dir={a.dir} lang={a.lang}>
      {props.value}
    </bdi>
  );
}

export function LabelChips(props: { labels: Partial<Labels> | undefined }) {
  const all = [
    ...(props.labels?.entity ?? []).map((l) => ["entity", l] as const),
    ...(props.labels?.behaviour ?? []).map((l) => ["behaviour", l] as const),
    ...(props.labels?.language ?? []).map((l) => ["language", l] as const),
  ];
  if (all.length === 0) return <span class="muted">{t("labels.none")}</span>;
  return (
    <ul class="chips" aria-label={t("labels.aria")}>
      {all.map(([kind, l]) => (
        <li key={`${kind}:${l}`} class={`chip chip-${kind}`} title={t(`labels.${kind}`)}>
          {l}
        </li>
      ))}
    </ul>
  );
}

/** An error in words: the API's own message, or what went wrong with the connection, in the locale. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "network") return t("error.network");
    if (error.code === "invalid_json") return t("error.invalidJson");
    // An answer that is not the API's error shape: say the status, never show raw bodies.
    if (error.code === `http_${error.status}`) return t("error.status", { status: String(error.status) });
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The FIRST TLP 2.0 marking as a coloured badge (CLEAR, GREEN, AMBER, AMBER+STRICT, RED). */
export function TlpBadge(props: { tlp: string }) {
  const level = props.tlp.toLowerCase().replace("+", "-");
  return <span class={`badge tlp tlp-${level}`}>{t("tlp", { tlp: props.tlp.toUpperCase() })}</span>;
}

export function ErrorBox(props: { error: unknown }) {
  if (!props.error) return null;
  const message = errorText(props.error);
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

export function Panel(props: { title: string; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section
      id={props.id}
      class={`panel ${props.class ?? ""}`}
      aria-labelledby={props.id ? `${props.id}-h` : undefined}
    >
      <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** Runs `load` when `deps` change; its result, error and whether it is loading. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
