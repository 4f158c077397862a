/** Sign-in: an account (organisation, person, password) or an API key, exchanged for a session. */

import { useEffect, useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import { formatNumber, locale, t } from "./lib/i18n.js";
import { signInWait, waitMessages, type SignInWait } from "./lib/sign-in-wait.js";
import type { Session } from "./lib/types.js";
import { ErrorBox } from "./ui.js";

/** The server's back-off, counted down in the person's language; the button stays off until it ends. */
function WaitBox(props: { wait: SignInWait }) {
  const text = waitMessages(props.wait);
  return (
    <p class="error" role="alert">
      {text[locale()]}
    </p>
  );
}

export function SignIn(props: {
  api: Api;
  onSignedIn: (s: Session) => void;
  notice?: string;
  /** Shown over the screen the session ended on (signing in again in place), not as the page. */
  dialog?: boolean;
}) {
  const [mode, setMode] = useState<"account" | "key">("account");
  const [org, setOrg] = useState("");
  const [person, setPerson] = useState("");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  /** When the server's back-off ends (ms), and the seconds left, ticking. */
  const [waitUntil, setWaitUntil] = useState(0);
  const [left, setLeft] = useState(0);
  const wait = signInWait(error);

  useEffect(() => {
    if (waitUntil === 0) return;
    const tick = () => setLeft(Math.max(0, Math.ceil((waitUntil - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [waitUntil]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = mode === "account" ? { org, person, password } : { apiKey: apiKey.trim() };
      props.onSignedIn(await props.api.post<Session>("/v1/session", body));
    } catch (err) {
      setError(err);
      const w = signInWait(err);
      setWaitUntil(w ? Date.now() + w.seconds * 1000 : 0);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  const body = (
    <>
      <h1 id="signin-h">{t("signin:title")}</h1>
      {props.notice && (
        <p class="notice" role="alert" data-testid="signin-notice">
          {props.notice}
        </p>
      )}
      <div class="tabs" role="tablist" aria-label={t("signin:tabs")}>
        <button type="button" role="tab" aria-selected={mode === "account"} onClick={() => setMode("account")}>
          {t("signin:account")}
        </button>
        <button type="button" role="tab" aria-selected={mode === "key"} onClick={() => setMode("key")}>
          {t("signin:apiKey")}
        </button>
      </div>
      <form
        onSubmit={(e) => void submit(e)}
        aria-label={mode === "account" ? t("signin:formAccount") : t("signin:formKey")}
      >
        {mode === "account" ? (
          <>
            <label>
              {t("signin:org")}
              <input
                name="org"
                autoComplete="organization"
                required
                value={org}
                onInput={(e) => setOrg(e.currentTarget.value)}
              />
            </label>
            <label>
              {t("signin:person")}
              <input
                name="person"
                autoComplete="username"
                required
                value={person}
                onInput={(e) => setPerson(e.currentTarget.value)}
              />
            </label>
            <label>
              {t("signin:password")}
              <input
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
          </>
        ) : (
          <label>
            {t("signin:apiKey")}
            <input
              name="apiKey"
              type="password"
              autoComplete="off"
              required
              placeholder="rasd_…"
              value={apiKey}
              onInput={(e) => setApiKey(e.currentTarget.value)}
            />
            <span class="hint">{t("signin:keyHint", { hours: formatNumber(12) })}</span>
          </label>
        )}
        {wait && left > 0 ? <WaitBox wait={{ ...wait, seconds: left }} /> : wait ? null : <ErrorBox error={error} />}
        <button type="submit" class="primary" disabled={busy || left > 0}>
          {busy ? t("signin:signingIn") : t("signin:signIn")}
        </button>
      </form>
    </>
  );
  if (props.dialog)
    return (
      <div class="signin signin-dialog" role="dialog" aria-modal="true" aria-labelledby="signin-h">
        {body}
      </div>
    );
  return (
    <main id="main" class="signin">
      {body}
    </main>
  );
}
