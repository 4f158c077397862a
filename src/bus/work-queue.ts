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
 * Items whose links are followed after their direct matches (decision 0038) get a hint of
 * their own on `<prefix>.work.links` once the content worker has committed their "links" job
 * (decision 0041): the links workers of every process hear it, not only the one that queued it.
 *
 * NATS may be down at start or go away later (src/bus/link.ts keeps trying): hints are
 * dropped meanwhile, and the subscription is made again on a new connection.
 */

import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { NatsLink, type LinkOptions, type LinkState } from "./link.js";

/** Hints published within this many ms make one (a busy API sends at most ~200 a second). */
const COALESCE_MS = 5;

/** The kinds of job a hint is published for: content jobs (accepted items) and links jobs. */
export type HintKind = "content" | "links";

export class WorkQueue {
  private listeners: Partial<Record<HintKind, () => void>> = {};
  private subscribed: { nc: NatsConnection; subs: Subscription[] } | undefined;
  private readonly pending: Partial<Record<HintKind, NodeJS.Timeout>> = {};
  private publishFailed = false;

  private constructor(
    readonly link: NatsLink,
    /** The subject content hints go to. */
    readonly subject: string,
    /** The subject links hints go to. */
    readonly linksSubject: string,
  ) {}

  /** Starts connecting in the background; subscribes (once `start`ed) on each connection. */
  static open(url: string, prefix: string, options: Partial<LinkOptions> = {}): WorkQueue {
    const link = NatsLink.open(url, { name: "work queue", ...options });
    const queue = new WorkQueue(link, `${prefix}.work.ready`, `${prefix}.work.links`);
    link.onConnect(async (nc) => queue.subscribe(nc));
    return queue;
  }

  get state(): LinkState {
    return this.link.state;
  }

  /**
   * Says that items were queued for `kind`'s workers (fire and forget; a lost hint is found
   * by the poll).
   */
  publish(ids: readonly number[], kind: HintKind = "content"): void {
    if (ids.length === 0 || this.pending[kind]) return;
    this.pending[kind] = setTimeout(() => {
      delete this.pending[kind];
      const nc = this.link.connection;
      if (!nc) return; // the workers poll the database while NATS is away
      try {
        nc.publish(kind === "links" ? this.linksSubject : this.subject);
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

  /**
   * Calls `wake` whenever another process (or this one) says there are content jobs, and
   * `wakeLinks` when it says there are links jobs.
   */
  start(wake: () => void, wakeLinks?: () => void): void {
    this.listeners = { content: wake, ...(wakeLinks ? { links: wakeLinks } : {}) };
    const nc = this.link.connection;
    if (nc) this.subscribe(nc);
  }

  private subscribe(nc: NatsConnection): void {
    // The client keeps a subscription across its own reconnects: one per connection object.
    if (!this.listeners.content || this.subscribed?.nc === nc) return;
    const subs: Subscription[] = [];
    for (const [kind, wake] of Object.entries(this.listeners) as [HintKind, () => void][])
      subs.push(
        nc.subscribe(kind === "links" ? this.linksSubject : this.subject, {
          callback: (error) => (error ? undefined : wake()),
        }),
      );
    this.subscribed = { nc, subs };
  }

  /** Stops listening for hints (the workers' own loops are stopped by their owners). */
  async stop(): Promise<void> {
    this.listeners = {};
    const s = this.subscribed;
    this.subscribed = undefined;
    for (const sub of s?.subs ?? [])
      try {
        sub.unsubscribe();
      } catch {
        // the connection is already gone
      }
  }

  /** Stops listening and closes the connection; never throws (failures are logged). */
  async close(): Promise<void> {
    for (const t of Object.values(this.pending)) clearTimeout(t);
    for (const k of Object.keys(this.pending) as HintKind[]) delete this.pending[k];
    await this.stop();
    await this.link.close();
  }
}
