/**
 * Work distribution over NATS JetStream. Accepted item ids are published on
 * `<prefix>.work.content` (a work-queue stream, de-duplicated by item id); every worker
 * process pulls from one durable consumer and acknowledges an id only after the item's
 * results are committed. A worker that dies leaves its ids unacknowledged, and JetStream
 * hands them to another worker after `ackWaitMs` (a little longer than the database lease,
 * which then has expired, so the other worker can take the job). The database's job rows
 * stay the record of what is owed: an id whose publish failed is still found by polling.
 */

import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, type JsMsg } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { logConnectionStatus } from "./status-log.js";

export type WorkOutcome = "done" | "later";

export class WorkQueue {
  private running = false;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly subject: string,
  ) {}

  static async connect(url: string, prefix: string, ackWaitMs: number): Promise<WorkQueue> {
    const nc = await connect({ servers: url, name: "rasd-work" });
    logConnectionStatus(nc, "work queue");
    const stream = `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_")}_WORK`;
    const subject = `${prefix}.work.content`;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [subject], retention: RetentionPolicy.Workqueue });
    }
    try {
      await jsm.consumers.info(stream, "pipeline");
    } catch {
      await jsm.consumers.add(stream, {
        durable_name: "pipeline",
        ack_policy: AckPolicy.Explicit,
        ack_wait: ackWaitMs * 1e6,
        max_ack_pending: 20_000,
      });
    }
    return new WorkQueue(nc, stream, subject);
  }

  /** Publishes item ids (fire and forget: a lost publish is found by the database poll). */
  publish(ids: readonly number[]): void {
    const js = jetstream(this.nc);
    for (const id of ids)
      js.publish(this.subject, String(id), { msgID: `item-${id}` }).catch((error: unknown) =>
        getLogger("work queue").warn({ err: error, item: id }, "publishing work failed; the database poll finds it"),
      );
  }

  /**
   * Pulls batches of ids and hands them to `work`, which says per id whether it is done
   * (acknowledged) or must wait (redelivered after `retryMs`).
   */
  start(work: (ids: number[]) => Promise<Map<number, WorkOutcome>>, batch = 500, retryMs = 1000): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      const consumer = await jetstream(this.nc).consumers.get(this.stream, "pipeline");
      while (this.running) {
        const msgs: JsMsg[] = [];
        try {
          const fetched = await consumer.fetch({ max_messages: batch, expires: 1000 });
          for await (const m of fetched) msgs.push(m);
        } catch (error) {
          if (this.running) getLogger("work queue").warn({ err: error }, "pulling work failed; trying again");
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        if (msgs.length === 0) continue;
        const ids = msgs.map((m) => Number(m.string()));
        let outcome: Map<number, WorkOutcome>;
        try {
          outcome = await work(ids);
        } catch (error) {
          getLogger("work queue").error(
            { err: error, items: ids.length },
            "processing pulled work failed; redelivered",
          );
          for (const m of msgs) m.nak(retryMs);
          continue;
        }
        for (const m of msgs) {
          if (outcome.get(Number(m.string())) === "later") m.nak(retryMs);
          else m.ack();
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.nc.drain();
  }
}
