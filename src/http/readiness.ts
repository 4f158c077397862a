/**
 * Readiness, honestly: a process is ready when its match indexes are loaded and keep up
 * with signal changes, and its database answers. NATS being away is not unreadiness — the
 * process polls the database meanwhile — but the answer says so.
 */

import type { Services } from "../server/services.js";

/** How long the database may take to answer a readiness check. */
const DATABASE_CHECK_MS = 2000;

export type NatsState = "off" | "connecting" | "connected" | "disconnected" | "closed";

export interface Readiness {
  readonly ready: boolean;
  /** Why not ready (empty when ready). */
  readonly problems: string[];
  readonly database: "ok" | "unreachable";
  /** The NATS connection that carries signal-change notices ("off": no NATS configured). */
  readonly nats: NatsState;
  /** How signal changes reach the indexes: NATS notices, database polling, or not at all. */
  readonly signalFeed: "notices" | "polling" | "stale";
  readonly indexSyncAgeMs: number;
}

async function databaseAnswers(s: Services): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_CHECK_MS);
  });
  try {
    return await Promise.race([s.store.currentCursor().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function readiness(s: Services): Promise<Readiness> {
  const database = (await databaseAnswers(s)) ? "ok" : "unreachable";
  const following = s.bus?.following ?? false;
  const fresh = s.matcher.fresh;
  const signalFeed = !fresh ? "stale" : following ? "notices" : "polling";
  const problems: string[] = [];
  if (!s.matcher.ready) problems.push("the match indexes are not loaded yet");
  else if (!fresh)
    problems.push(
      `the match indexes are not following signal changes (last synced ${Math.round(s.matcher.syncAgeMs / 1000)} s ago)`,
    );
  if (database === "unreachable") problems.push("the database does not answer");
  return {
    ready: problems.length === 0,
    problems,
    database,
    nats: s.bus?.state ?? "off",
    signalFeed,
    indexSyncAgeMs: s.matcher.syncAgeMs,
  };
}
