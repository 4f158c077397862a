/**
 * Signal-change notices over NATS JetStream, for many processes sharing one database: a
 * process that commits a change to banks or signals publishes a notice on
 * `<prefix>.signals.changed`; every matcher process follows the subject with an ordered
 * consumer and pulls the changes from the database's change cursor at once (the database
 * stays the source of truth: a notice carries no data, so a lost or repeated notice costs
 * at most a poll). A restarted process loads from the database, then follows new notices.
 */

import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { logConnectionStatus } from "./status-log.js";

export class SignalBus {
  private messages: ConsumerMessages | undefined;
  private pending: NodeJS.Timeout | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly subject: string,
  ) {}

  /** Connects and makes sure the stream exists (kept a day; notices are tiny). */
  static async connect(url: string, prefix = "rasd"): Promise<SignalBus> {
    const nc = await connect({ servers: url, name: "rasd" });
    logConnectionStatus(nc, "signal bus");
    const stream = `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_")}_SIGNALS`;
    const subject = `${prefix}.signals.changed`;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(stream);
    } catch {
      await jsm.streams.add({ name: stream, subjects: [subject], max_age: 24 * 3600 * 1e9, max_msgs: 100_000 });
    }
    return new SignalBus(nc, stream, subject);
  }

  /** Tells every process that something changed; bursts within 5 ms make one notice. */
  changed(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      jetstream(this.nc)
        .publish(this.subject, new Uint8Array(0))
        .catch((error: unknown) => getLogger("signal bus").warn({ err: error }, "publishing a change notice failed"));
    }, 5);
  }

  /** Calls `onChange` for every notice published from now on. */
  async follow(onChange: () => void): Promise<void> {
    const consumer = await jetstream(this.nc).consumers.get(this.stream, { deliver_policy: DeliverPolicy.New });
    this.messages = await consumer.consume();
    const messages = this.messages;
    void (async () => {
      for await (const m of messages) {
        m.ack();
        onChange();
      }
    })();
  }

  async close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    await this.messages?.close();
    await this.nc.drain();
  }
}
