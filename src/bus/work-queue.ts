/**
 * Work distribution over NATS JetStream. Accepted item ids are published on
 * `<prefix>.work.content` (a work-queue stream, de-duplicated by item id); every worker
 * process pulls from one durable consumer and acknowledges an id only after the item's
 * results are committed. A worker that dies leaves its ids unacknowledged, and JetStream
 * hands them to another worker after `ackWaitMs` (a little longer than the database lease,
 * which then has expired, so the other worker can take the job). The database's job rows
 * stay the record of what is owed: an id whose publish failed, or that was accepted while
 * NATS was down, is still found by polling.
 *
 * NATS may be down at start or go away later (src/bus/link.ts keeps trying): nothing is
 * published meanwhile, pulling waits for the connection, and the stream and consumer are
 * made again on every (re)connection if the server lost them.
 */

import {
  AckPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  type JsMsg,
  type StreamConfig,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { NatsLink, type LinkOptions, type LinkState } from "./link.js";

export type WorkOutcome = "done" | "later";

/**
 * The work stream is bounded: it holds ids only (a few bytes each), the database holds the
 * work. Past a limit a publish is refused (discard new) — the id is still found by the
 * database poll — so the stream never drops an id it accepted. An id older than a day has
 * long been leased again from the database.
 */
export const WORK_STREAM_LIMITS = {
  max_msgs: 2_000_000,
  max_bytes: 256 * 1024 * 1024,
  max_age: 24 * 3600 * 1e9,
  discard: DiscardPolicy.New,
} as const;

function hasLimits(c: StreamConfig): boolean {
  return (
    c.max_msgs === WORK_STREAM_LIMITS.max_msgs &&
    c.max_bytes === WORK_STREAM_LIMITS.max_bytes &&
    c.max_age === WORK_STREAM_LIMITS.max_age &&
    c.discard === WORK_STREAM_LIMITS.discard
  );
}

export class WorkQueue {
  private running = false;
  /** The pull in flight (stopped on `stop`: during an outage it may never end by itself). */
  private fetching: { stop(): void } | undefined;
  /** The batch being processed (awaited on `stop`). */
  private processing: Promise<unknown> | undefined;
  private publishFailed = false;
  private pullFailed = false;

  private constructor(
    readonly link: NatsLink,
    private readonly stream: string,
    private readonly subject: string,
  ) {}

  /** Starts connecting in the background and sets up the stream and consumer on each connection. */
  static open(url: string, prefix: string, ackWaitMs: number, options: Partial<LinkOptions> = {}): WorkQueue {
    const link = NatsLink.open(url, { name: "work queue", ...options });
    const stream = `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_")}_WORK`;
    const queue = new WorkQueue(link, stream, `${prefix}.work.content`);
    link.onConnect((nc) => queue.setup(nc, ackWaitMs));
    return queue;
  }

  get state(): LinkState {
    return this.link.state;
  }

  private async setup(nc: NatsConnection, ackWaitMs: number): Promise<void> {
    const jsm = await jetstreamManager(nc);
    let info: StreamInfo | undefined;
    try {
      info = await jsm.streams.info(this.stream);
    } catch {
      await jsm.streams.add({
        name: this.stream,
        subjects: [this.subject],
        retention: RetentionPolicy.Workqueue,
        ...WORK_STREAM_LIMITS,
      });
    }
    // A stream made by an older version (no limits) is given them.
    if (info && !hasLimits(info.config)) await jsm.streams.update(this.stream, { ...WORK_STREAM_LIMITS });
    try {
      await jsm.consumers.info(this.stream, "pipeline");
    } catch {
      await jsm.consumers.add(this.stream, {
        durable_name: "pipeline",
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWaitMs * 1e6,
        max_ack_pending: 20_000,
      });
    }
    this.publishFailed = false;
    this.pullFailed = false;
  }

  /** Publishes item ids (fire and forget: a lost publish is found by the database poll). */
  publish(ids: readonly number[]): void {
    const nc = this.link.connection;
    if (!nc) return; // the workers poll the database while NATS is away
    const js = jetstream(nc);
    for (const id of ids)
      js.publish(this.subject, String(id), { msgID: `item-${id}` }).then(
        () => (this.publishFailed = false),
        (error: unknown) => {
          // Once per run of failures, not once per id.
          if (!this.publishFailed)
            getLogger("work queue").warn(
              { err: error, item: id },
              "publishing work failed; the database poll finds it",
            );
          this.publishFailed = true;
        },
      );
  }

  /**
   * Pulls batches of ids and hands them to `work`, which says per id whether it is done
   * (acknowledged) or must wait (redelivered after `retryMs`).
   */
  start(work: (ids: number[]) => Promise<Map<number, WorkOutcome>>, batch = 500, retryMs = 1000): void {
    if (this.running) return;
    this.running = true;
    void (async () => {
      while (this.running) {
        const nc = this.link.connection;
        if (!nc) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        const msgs: JsMsg[] = [];
        try {
          const consumer = await jetstream(nc).consumers.get(this.stream, "pipeline");
          const fetched = await consumer.fetch({ max_messages: batch, expires: 1000 });
          this.fetching = fetched;
          if (!this.running) fetched.stop();
          for await (const m of fetched) msgs.push(m);
          this.pullFailed = false;
        } catch (error) {
          if (this.running && !this.pullFailed && this.link.state === "connected")
            getLogger("work queue").warn({ err: error }, "pulling work failed; trying again");
          this.pullFailed = true;
          await new Promise((r) => setTimeout(r, 200));
          if (msgs.length === 0) continue;
        } finally {
          this.fetching = undefined;
        }
        if (msgs.length === 0) continue;
        const ids = msgs.map((m) => Number(m.string()));
        let outcome: Map<number, WorkOutcome>;
        try {
          const processing = work(ids);
          this.processing = processing;
          outcome = await processing;
        } catch (error) {
          getLogger("work queue").error(
            { err: error, items: ids.length },
            "processing pulled work failed; redelivered",
          );
          for (const m of msgs) m.nak(retryMs);
          continue;
        } finally {
          this.processing = undefined;
        }
        for (const m of msgs) {
          if (outcome.get(Number(m.string())) === "later") m.nak(retryMs);
          else m.ack();
        }
      }
    })();
  }

  /**
   * Stops pulling and lets the batch in hand finish. A pull in flight is abandoned (its ids,
   * unacknowledged, are redelivered to another worker), so stopping never waits on NATS.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.fetching?.stop();
    await this.processing?.catch(() => undefined);
  }

  /** Stops pulling and closes the connection; never throws (failures are logged). */
  async close(): Promise<void> {
    await this.stop();
    await this.link.close();
  }
}
