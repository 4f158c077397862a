/** Sign-in: an account (organisation, person, password) or an API key, exchanged for a session. */

import { useState } from "preact/hooks";
import type { Api } from "./lib/api.js";
import type { Session } from "./lib/types.js";
import { ErrorBox } from "./ui.js";

export function SignIn(props: { api: Api; onSignedIn: (s: Session) => void }) {
  const [mode, setMode] = useState<"account" | "key">("account");
  const [org, setOrg] = useState("");
  const [person, setPerson] = useState("");
  const [password, setPassword] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = mode === "account" ? { org, person, password } : { apiKey: apiKey.trim() };
      props.onSignedIn(await props.api.post<Session>("/v1/session", body));
    } catch (err) {
      setError(err);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>
        Sign in to rasd <span lang="ar">رصد</span>
      </h1>
      <div class="tabs" role="tablist" aria-label="How to sign in">
        <button type="button" role="tab" aria-selected={mode === "account"} onClick={() => setMode("account")}>
          Account
        </button>
        <button type="button" role="tab" aria-selected={mode === "key"} onClick={() => setMode("key")}>
          API key
        </button>
      </div>
      <form
        onSubmit={(e) => void submit(e)}
        aria-label={mode === "account" ? "Sign in with an account" : "Sign in with an API key"}
      >
        {mode === "account" ? (
          <>
            <label>
              Organisation
              <input
                name="org"
                autoComplete="organization"
                required
                value={org}
                onInput={(e) => setOrg(e.currentTarget.value)}
              />
            </label>
            <label>
              Person
              <input
                name="person"
                autoComplete="username"
                required
                value={person}
                onInput={(e) => setPerson(e.currentTarget.value)}
              />
            </label>
            <label>
              Password
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
            API key
            <input
              name="apiKey"
              type="password"
              autoComplete="off"
              required
              placeholder="rasd_…"
              value={apiKey}
              onInput={(e) => setApiKey(e.currentTarget.value)}
            />
            <span class="hint">
              The key is exchanged for a session that ends after 12 hours; the browser does not keep it.
            </span>
          </label>
        )}
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
