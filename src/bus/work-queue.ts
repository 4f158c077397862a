/**
 * Work hints over NATS. The database's job queue is the one source of work (decision 0013,
 * docs/decisions/0013-work-distribution.md): workers lease jobs from it with `for update skip
 * locked`, and nothing else hands out an item. NATS only tells idle workers that there is
 * something to lease: a process that accepted items publishes a hint on
 * `<prefix>.work.ready` (core NATS, no stream, no acknowledgement), and every worker that
 * hears it leases at once instead of at its next poll. A lost hint costs latency, never an
 * item: the workers poll the database (every 2 s while hints arrive, every 50 ms while NATS
 * is away).
 *
 * NATS may be down at start or go away later (src/bus/link.ts keeps trying): hints are
 * dropped meanwhile, and the subscription is made again on a new connection.
 */

import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { NatsLink, type LinkOptions, type LinkState } from "./link.js";

/** Hints published within this many ms make one (a busy API sends at most ~200 a second). */
const COALESCE_MS = 5;

export class WorkQueue {
  private listener: (() => void) | undefined;
  private subscribed: { nc: NatsConnection; sub: Subscription } | undefined;
  private pending: NodeJS.Timeout | undefined;
  private publishFailed = false;

  private constructor(
    readonly link: NatsLink,
    /** The subject hints go to. */
    readonly subject: string,
  ) {}

  /** Starts connecting in the background; subscribes (once `start`ed) on each connection. */
  static open(url: string, prefix: string, options: Partial<LinkOptions> = {}): WorkQueue {
    const link = NatsLink.open(url, { name: "work queue", ...options });
    const queue = new WorkQueue(link, `${prefix}.work.ready`);
    link.onConnect(async (nc) => queue.subscribe(nc));
    return queue;
  }

  get state(): LinkState {
    return this.link.state;
  }

  /** Says that items were queued (fire and forget; a lost hint is found by the poll). */
  publish(ids: readonly number[]): void {
    if (ids.length === 0 || this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const nc = this.link.connection;
      if (!nc) return; // the workers poll the database while NATS is away
      try {
        nc.publish(this.subject);
        this.publishFailed = false;
      } catch (error) {
        if (!this.publishFailed)
          getLogger("work queue").warn(
            { err: error },
            "publishing a work hint failed; the workers' poll finds the work",
          );
        this.publishFailed = true;
      }
    }, COALESCE_MS);
  }

  /** Calls `wake` whenever another process (or this one) says there is work. */
  start(wake: () => void): void {
    this.listener = wake;
    const nc = this.link.connection;
    if (nc) this.subscribe(nc);
  }

  private subscribe(nc: NatsConnection): void {
    // The client keeps a subscription across its own reconnects: one per connection object.
    if (!this.listener || this.subscribed?.nc === nc) return;
    const wake = this.listener;
    const sub = nc.subscribe(this.subject, { callback: (error) => (error ? undefined : wake()) });
    this.subscribed = { nc, sub };
  }

  /** Stops listening for hints (the workers' own loops are stopped by their owners). */
  async stop(): Promise<void> {
    this.listener = undefined;
    const s = this.subscribed;
    this.subscribed = undefined;
    try {
      s?.sub.unsubscribe();
    } catch {
      // the connection is already gone
    }
  }

  /** Stops listening and closes the connection; never throws (failures are logged). */
  async close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    await this.stop();
    await this.link.close();
  }
}
