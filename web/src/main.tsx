/**
 * The web app's shell: the session (a token in sessionStorage, never a cookie), hash routes
 * for the screens, and navigation that follows the person's role.
 */

import { render } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import "../style.css";
import { Banks } from "./banks.js";
import { Admin, mayAdminister } from "./admin.js";
import { Dashboard } from "./dashboard.js";
import { Engineer, mayEngineer } from "./engineer.js";
import { Exchanges } from "./exchanges.js";
import { Labels } from "./labels.js";
import { Counter } from "./counter.js";
import { Links } from "./links.js";
import { IncidentBanner, Incidents } from "./incidents.js";
import { Api } from "./lib/api.js";
import { initI18n, onLocaleChange, t } from "./lib/i18n.js";
import type { Session } from "./lib/types.js";
import { LocalePicker } from "./locale-picker.js";
import { Reports } from "./reports.js";
import { Review } from "./review.js";
import { SignIn } from "./signin.js";

const KEY = "rasd.session";

/** Whether this tab held a session that has since ended (expired, or refused by the server). */
function sessionEnded(): boolean {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    return s !== null && !(Date.parse(s.expiresAt) > Date.now());
  } catch {
    return false;
  }
}

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
  // Sent to sign in because the session ended: say so; the screen's drafts are kept (lib/drafts.ts).
  const [ended, setEnded] = useState(sessionEnded);
  // The session that ended while the person was working: its screen stays, behind a sign-in dialog.
  const [stale, setStale] = useState<Session | undefined>();
  // Bumped at each sign-in: the screen reloads its data (drafts come back from lib/drafts.ts).
  const [epoch, setEpoch] = useState(0);
  // A change of language or digits re-renders the whole tree (no screen is memoised).
  const [, setLocaleTick] = useState(0);
  useEffect(() => onLocaleChange(() => setLocaleTick((n) => n + 1)), []);
  const hash = useHash();
  const api = useMemo(
    () =>
      new Api({
        fetch: (url, init) => fetch(url, init),
        token: () => loadSession()?.token,
        onUnauthorized: () => {
          const held = sessionStorage.getItem(KEY);
          if (held !== null) {
            setEnded(true);
            try {
              setStale(JSON.parse(held) as Session);
            } catch {
              // unreadable: the full-page sign-in
            }
          }
          sessionStorage.removeItem(KEY);
          setSession(undefined);
        },
      }),
    [],
  );
  const signIn = (s: Session) => {
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setEnded(false);
    setStale(undefined);
    setEpoch((n) => n + 1);
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
    const known = [
      "dashboard",
      "review",
      "labels",
      "banks",
      "reports",
      "admin",
      "engineer",
      "counter",
      "exchanges",
    ].includes(screen);
    document.title = t("pageTitle", { screen: session ? (known ? t(`title.${screen}`) : screen) : t("title.signIn") });
  });

  const shown = session ?? stale;
  if (!shown)
    return (
      <>
        <div class="prefs-bar">
          <LocalePicker />
        </div>
        <SignIn api={api} onSignedIn={signIn} {...(ended ? { notice: t("session.expired") } : {})} />
      </>
    );
  const me = shown.me;
  const may = (p: string) => me.permissions.includes(p);
  const parts = hash.replace(/^#\/?/, "").split("/");
  const screen = parts[0] || "dashboard";
  const nav = [
    { id: "dashboard", label: t("nav.dashboard"), show: may("content.read") },
    { id: "review", label: t("nav.review"), show: may("review.read") },
    { id: "labels", label: t("nav.labels"), show: may("review.read") },
    { id: "banks", label: t("nav.banks"), show: may("signal.read") },
    { id: "reports", label: t("nav.reports"), show: may("measure.read") },
    { id: "engineer", label: t("nav.engineer"), show: mayEngineer(me.permissions) },
    { id: "admin", label: t("nav.admin"), show: mayAdminister(me.permissions) },
    { id: "incidents", label: t("nav.incidents"), show: may("incident.read") },
    { id: "links", label: t("nav.links"), show: may("signal.read") },
    { id: "counter", label: t("nav.counter"), show: may("counter.read") },
    { id: "exchanges", label: t("nav.exchanges"), show: may("bank.read") },
  ].filter((n) => n.show);
  const go = (h: string) => {
    location.hash = h;
  };
  return (
    <>
      {/* While signing in again in place, the screen behind stays as it was, out of reach. */}
      <div class="app-shell" key={epoch} inert={stale !== undefined && !session}>
        <a
          class="skip"
          href="#main"
          onClick={(e) => {
            e.preventDefault();
            const main = document.getElementById("main");
            if (!main) return;
            main.tabIndex = -1; // focusable by script, not in the tab order
            main.focus();
            main.scrollIntoView({ block: "start" });
          }}
        >
          {t("skip")}
        </a>
        <header class="top">
          <span class="brand">
            rasd <span lang="ar">رصد</span>
          </span>
          <nav aria-label={t("nav.label")}>
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
            <bdi>{me.person.name}</bdi> · {t(`role.${me.person.role}`)} · <bdi>{me.org.name}</bdi>
          </span>
          <LocalePicker />
          <button type="button" onClick={() => void signOut()}>
            {t("signOut")}
          </button>
        </header>
        {may("incident.read") ? <IncidentBanner api={api} /> : null}
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
        ) : screen === "reports" && may("measure.read") ? (
          <Reports api={api} me={me} />
        ) : screen === "admin" && mayAdminister(me.permissions) ? (
          <Admin api={api} me={me} section={parts[1]} />
        ) : screen === "engineer" && mayEngineer(me.permissions) ? (
          <Engineer api={api} me={me} section={parts[1]} />
        ) : screen === "counter" && may("counter.read") ? (
          <Counter api={api} me={me} />
        ) : screen === "exchanges" && may("bank.read") ? (
          <Exchanges api={api} me={me} />
        ) : screen === "links" && may("signal.read") ? (
          <Links api={api} me={me} />
        ) : screen === "incidents" && may("incident.read") ? (
          <Incidents
            api={api}
            me={me}
            {...(parts[1] ? { id: Number(parts[1]) } : {})}
            debrief={parts[2] === "debrief"}
          />
        ) : may("content.read") ? (
          <Dashboard api={api} me={me} />
        ) : (
          <main id="main">
            <h1>{t("welcome.title")}</h1>
            <p>{t("welcome.noScreen")}</p>
          </main>
        )}
      </div>
      {!session && stale && (
        <div class="signin-backdrop">
          <SignIn api={api} onSignedIn={signIn} notice={t("session.expired")} dialog />
        </div>
      )}
    </>
  );
}

initI18n();
render(<App />, document.getElementById("app")!);
