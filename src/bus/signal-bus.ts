/**
 * Signal-change notices over NATS JetStream, for many processes sharing one database: a
 * process that commits a change to banks or signals publishes a notice on
 * `<prefix>.signals.changed`; every matcher process follows the subject with an ordered
 * consumer and pulls the changes from the database's change cursor at once (the database
 * stays the source of truth: a notice carries only what kind of thing changed, so a lost or
 * repeated notice costs at most a poll). A restarted process loads from the database, then
 * follows new notices.
 */

import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { logConnectionStatus } from "./status-log.js";

/**
 * What a notice says changed: "signals" (banks, signals, sharing — matchers sync, sharing
 * caches are dropped) or "keys" (a key was revoked — verified-key caches are dropped).
 */
export type ChangeKind = "signals" | "keys";
const CHANGE_KINDS: readonly ChangeKind[] = ["signals", "keys"];

/** A notice's kinds; an empty payload (a process from before kinds existed) means every kind. */
function kindsOf(payload: string): ReadonlySet<ChangeKind> {
  const kinds = CHANGE_KINDS.filter((k) => payload.split(",").includes(k));
  return new Set(kinds.length ? kinds : CHANGE_KINDS);
}

export class SignalBus {
  private messages: ConsumerMessages | undefined;
  private pending: NodeJS.Timeout | undefined;
  private readonly pendingKinds = new Set<ChangeKind>();

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
  changed(kind: ChangeKind = "signals"): void {
    this.pendingKinds.add(kind);
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const payload = new TextEncoder().encode([...this.pendingKinds].join(","));
      this.pendingKinds.clear();
      jetstream(this.nc)
        .publish(this.subject, payload)
        .catch((error: unknown) => getLogger("signal bus").warn({ err: error }, "publishing a change notice failed"));
    }, 5);
  }

  /** Calls `onChange` with what changed, for every notice published from now on. */
  async follow(onChange: (kinds: ReadonlySet<ChangeKind>) => void): Promise<void> {
    const consumer = await jetstream(this.nc).consumers.get(this.stream, { deliver_policy: DeliverPolicy.New });
    this.messages = await consumer.consume();
    const messages = this.messages;
    void (async () => {
      for await (const m of messages) {
        m.ack();
        onChange(kindsOf(m.string()));
      }
    })();
  }

  async close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    await this.messages?.close();
    await this.nc.drain();
  }
}
