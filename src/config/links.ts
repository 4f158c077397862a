/**
 * The link settings (docs/links.md, docs/configuration.md): which submitted links are
 * expanded, how often banked links are checked, how gently each host is asked, the limits of
 * one request, and — for tests only — whether links on private addresses may be fetched.
 * Parsed once, with the rest of the configuration.
 */

import { RasdError } from "../core/errors.js";

export const LINK_EXPAND_MODES = ["off", "shorteners", "all"] as const;
export type LinkExpandMode = (typeof LINK_EXPAND_MODES)[number];

export interface LinkSettings {
  /** Submitted links followed in the pipeline: none, shorteners' only (default), or every one. */
  readonly expand: LinkExpandMode;
  /** Hours between two checks of a banked link (jittered by ±10%). */
  readonly checkHours: number;
  /** The least time between two requests to one host, over every worker (ms). */
  readonly hostGapMs: number;
  /** Links a worker checks at once (each on a different host). */
  readonly concurrency: number;
  /** Time limit of one request (ms) and requests in one chain. */
  readonly timeoutMs: number;
  readonly maxHops: number;
  /** Fetch links on loopback and private addresses: tests' local "hosts" only. */
  readonly allowPrivate: boolean;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RasdError("usage", `${name}: expected an integer ${min}..${max}, got "${text}"`);
  return n;
}

export function linkSettings(env: NodeJS.ProcessEnv): LinkSettings {
  const expand = env.RASD_LINK_EXPAND || "shorteners";
  if (!(LINK_EXPAND_MODES as readonly string[]).includes(expand))
    throw new RasdError("usage", `RASD_LINK_EXPAND: expected one of ${LINK_EXPAND_MODES.join(", ")}, got "${expand}"`);
  return Object.freeze({
    expand: expand as LinkExpandMode,
    checkHours: int(env, "RASD_LINK_CHECK_HOURS", 24, 1, 8760),
    hostGapMs: int(env, "RASD_LINK_HOST_GAP_MS", 2000, 0, 3_600_000),
    concurrency: int(env, "RASD_LINK_CONCURRENCY", 8, 1, 256),
    timeoutMs: int(env, "RASD_LINK_TIMEOUT_MS", 10_000, 100, 120_000),
    maxHops: int(env, "RASD_LINK_MAX_HOPS", 10, 1, 30),
    allowPrivate: env.RASD_LINK_ALLOW_PRIVATE === "1",
  });
}
