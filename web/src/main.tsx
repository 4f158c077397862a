/**
 * The web app's shell: the session (a token in sessionStorage, never a cookie), hash routes
 * for the three screens, and navigation that follows the person's role.
 */

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "../style.css";
import { Banks } from "./banks.js";
import { Dashboard } from "./dashboard.js";
import { Labels } from "./labels.js";
import { Api } from "./lib/api.js";
import type { Session } from "./lib/types.js";
import { Review } from "./review.js";
import { SignIn } from "./signin.js";

const KEY = "rasd.session";

function loadSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    return s && Date.parse(s.expiresAt) > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
}

function useHash(): string {
  const [hash, setHash] = useState(location.hash || "#/");
  useEffect(() => {
    const on = () => setHash(location.hash || "#/");
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const hash = useHash();
  const api = useMemo(
    () =>
      new Api({
        fetch: (url, init) => fetch(url, init),
        token: () => loadSession()?.token,
        onUnauthorized: () => {
          sessionStorage.removeItem(KEY);
          setSession(undefined);
        },
      }),
    [],
  );
  const signIn = (s: Session) => {
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setSession(s);
    if (location.hash === "" || location.hash === "#/") location.hash = "#/dashboard";
  };
  const signOut = async () => {
    try {
      await api.delete("/v1/session");
    } finally {
      sessionStorage.removeItem(KEY);
      setSession(undefined);
      location.hash = "#/";
    }
  };

  useEffect(() => {
    const screen = hash.split("/")[1] || "dashboard";
    document.title = `rasd — ${session ? screen : "sign in"}`;
  }, [hash, session]);

  if (!session) return <SignIn api={api} onSignedIn={signIn} />;
  const me = session.me;
  const may = (p: string) => me.permissions.includes(p);
  const parts = hash.replace(/^#\/?/, "").split("/");
  const screen = parts[0] || "dashboard";
  const nav = [
    { id: "dashboard", label: "Dashboard", show: may("content.read") },
    { id: "review", label: "Review", show: may("review.read") },
    { id: "labels", label: "Label · تصنيف", show: may("review.read") },
    { id: "banks", label: "Banks", show: may("signal.read") },
  ].filter((n) => n.show);
  const go = (h: string) => {
    location.hash = h;
  };
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <span class="brand">
          rasd <span lang="ar">رصد</span>
        </span>
        <nav aria-label="Screens">
          <ul>
            {nav.map((n) => (
              <li key={n.id}>
                <a href={`#/${n.id}`} aria-current={screen === n.id ? "page" : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <bdi>{me.person.name}</bdi> · {me.person.role} · <bdi>{me.org.name}</bdi>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {screen === "review" && may("review.read") ? (
        <Review api={api} me={me} />
      ) : screen === "labels" && may("review.read") ? (
        <Labels api={api} me={me} />
      ) : screen === "banks" && may("signal.read") ? (
        <Banks
          api={api}
          me={me}
          go={go}
          {...(parts[1] === "signal" && parts[2] ? { signalId: Number(parts[2]) } : {})}
        />
      ) : may("content.read") ? (
        <Dashboard api={api} me={me} />
      ) : (
        <main id="main">
          <h1>Welcome</h1>
          <p>Your role has no screen here yet.</p>
        </main>
      )}
    </>
  );
}

render(<App />, document.getElementById("app")!);
