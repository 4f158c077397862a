/**
 * How the service follows NATS and how it stops — the composition root's policies for
 * outages and shutdown, kept out of services.ts:
 *
 * - While signal-change notices arrive the matcher polls the database's change cursor
 *   every second as a safety net; while they do not (NATS down or not yet reached), every
 *   100 ms, and the pipeline looks for jobs in the database every 50 ms instead of 2 s.
 * - Stopping is ordered and total: stop taking work, let the batches in hand finish (their
 *   leases are completed or released), stop the matcher, close NATS, then the database.
 *   Each step's failure is logged and the next step still runs; a hard deadline
 *   (`exitDeadline`) ends a process whose stopping hangs.
 */

import { getLogger } from "../logging/logger.js";
import type { SignalBus } from "../bus/signal-bus.js";
import type { WorkQueue } from "../bus/work-queue.js";
import type { Matcher } from "../services/matcher.js";
import type { ContentPipeline } from "../services/pipeline.js";
import type { ServiceMetrics } from "../services/metrics.js";

/** The matcher's poll while no notices arrive, and the pipeline's database poll then. */
export const FALLBACK_MATCHER_POLL_MS = 100;
export const FALLBACK_JOB_POLL_MS = 50;
/** The pipeline's database poll while the work queue delivers: only a safety net. */
export const QUEUED_JOB_POLL_MS = 2000;

/** Switches polling with the state of the NATS connections, and shows it in the metrics. */
export function followNats(
  parts: {
    bus: SignalBus | undefined;
    work: WorkQueue | undefined;
    matcher: Matcher;
    pipeline: ContentPipeline;
    metrics: ServiceMetrics;
  },
  followingPollMs: number,
): void {
  const { bus, work, matcher, pipeline, metrics } = parts;
  if (bus) {
    const set = (following: boolean): void => {
      matcher.setFollowing(following);
      matcher.setPollMs(following ? followingPollMs : FALLBACK_MATCHER_POLL_MS);
      metrics.natsConnected.set({ connection: "signal bus" }, following ? 1 : 0);
    };
    set(bus.following);
    bus.onFollowing(set);
  }
  if (work) {
    const set = (connected: boolean): void => {
      pipeline.setPollMs(connected ? QUEUED_JOB_POLL_MS : FALLBACK_JOB_POLL_MS);
      metrics.natsConnected.set({ connection: "work queue" }, connected ? 1 : 0);
    };
    set(work.state === "connected");
    work.link.onState((state) => set(state === "connected"));
  }
}

/** Runs one step of stopping; a failure is logged, never thrown, so the next step runs. */
export async function stopStep(what: string, step: () => Promise<void> | void): Promise<void> {
  const t0 = Date.now();
  try {
    await step();
    getLogger("shutdown").debug(`stopped ${what} in ${Date.now() - t0} ms`);
  } catch (error) {
    getLogger("shutdown").error({ err: error }, `stopping ${what} failed; carrying on`);
  }
}

/**
 * Ends the process with status 1 if stopping takes longer than `seconds`, or at once on a
 * second SIGINT/SIGTERM: a process told to stop must not go on working.
 */
export function exitDeadline(seconds: number): void {
  const timer = setTimeout(() => {
    getLogger("shutdown").fatal(`stopping took longer than ${seconds} s (RASD_SHUTDOWN_SECONDS); exiting`);
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
  const again = (signal: string): void => {
    getLogger("shutdown").fatal(`${signal} while stopping; exiting at once`);
    process.exit(1);
  };
  process.once("SIGINT", () => again("SIGINT"));
  process.once("SIGTERM", () => again("SIGTERM"));
}
