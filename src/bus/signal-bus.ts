/**
 * Signal-change notices over NATS JetStream, for many processes sharing one database: a
 * process that commits a change to banks or signals publishes a notice on
 * `<prefix>.signals.changed`; every matcher process follows the subject with an ordered
 * consumer and pulls the changes from the database's change cursor at once (the database
 * stays the source of truth: a notice carries only what kind of thing changed, so a lost or
 * repeated notice costs at most a poll). A restarted process loads from the database, then
 * follows new notices.
 *
 * NATS may be down when the process starts or go away later (src/bus/link.ts keeps trying):
 * meanwhile `following` is false, notices are not sent (every process polls), and after each
 * (re)connection the consumer is made afresh and the follower is told that everything may
 * have changed, so that it catches up at once.
 */

import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";
import { NatsLink, type LinkOptions, type LinkState } from "./link.js";
import { ensureStream } from "./streams.js";

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
  private onChange: ((kinds: ReadonlySet<ChangeKind>) => void) | undefined;
  private isFollowing = false;
  private readonly followWatchers: ((following: boolean) => void)[] = [];
  private publishFailed = false;

  private constructor(
    readonly link: NatsLink,
    private readonly stream: string,
    private readonly subject: string,
    private readonly replicas: number,
  ) {
    link.onState((state) => {
      if (state !== "connected") this.setFollowing(false);
    });
  }

  /**
   * Starts connecting (in the background: a process starts while NATS is down) and makes
   * sure the stream exists on every connection (kept a day; notices are tiny).
   */
  static open(
    url: string,
    prefix = "rasd",
    options: Partial<LinkOptions> & { readonly replicas?: number } = {},
  ): SignalBus {
    const link = NatsLink.open(url, { name: "signal bus", ...options });
    const bus = new SignalBus(
      link,
      `${prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, "_")}_SIGNALS`,
      `${prefix}.signals.changed`,
      options.replicas ?? 1,
    );
    link.onConnect((nc) => bus.setup(nc));
    return bus;
  }

  /** The connection's state. */
  get state(): LinkState {
    return this.link.state;
  }

  /** True while notices from other processes arrive (connected and consuming). */
  get following(): boolean {
    return this.isFollowing;
  }

  /** Told whenever `following` changes. */
  onFollowing(watch: (following: boolean) => void): void {
    this.followWatchers.push(watch);
  }

  private setFollowing(following: boolean): void {
    if (following === this.isFollowing) return;
    this.isFollowing = following;
    for (const w of this.followWatchers) w(following);
  }

  private async setup(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, {
      name: this.stream,
      subjects: [this.subject],
      max_age: 24 * 3600 * 1e9,
      max_msgs: 100_000,
      num_replicas: this.replicas,
    });
    this.publishFailed = false;
    if (this.onChange) await this.subscribe(nc, this.onChange);
  }

  /** Tells every process that something changed; bursts within 5 ms make one notice. */
  changed(kind: ChangeKind = "signals"): void {
    this.pendingKinds.add(kind);
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const payload = new TextEncoder().encode([...this.pendingKinds].join(","));
      this.pendingKinds.clear();
      // While disconnected, other processes poll the database: nothing to send.
      const nc = this.link.connection;
      if (!nc) return;
      jetstream(nc)
        .publish(this.subject, payload)
        .then(
          () => (this.publishFailed = false),
          (error: unknown) => {
            // Once per run of failures, not once per notice.
            if (!this.publishFailed)
              getLogger("signal bus").warn({ err: error }, "publishing a change notice failed; other processes poll");
            this.publishFailed = true;
          },
        );
    }, 5);
  }

  /**
   * Calls `onChange` with what changed, for every notice published from now on — and with
   * every kind whenever the bus (re)connects, since notices may have been missed meanwhile.
   */
  async follow(onChange: (kinds: ReadonlySet<ChangeKind>) => void): Promise<void> {
    this.onChange = onChange;
    const nc = this.link.connection;
    if (nc) await this.subscribe(nc, onChange).catch((error: unknown) => this.followFailed(error));
  }

  private followFailed(error: unknown): void {
    getLogger("signal bus").warn({ err: error }, "following signal-change notices failed; retried on reconnect");
  }

  private async subscribe(nc: NatsConnection, onChange: (kinds: ReadonlySet<ChangeKind>) => void): Promise<void> {
    const previous = this.messages;
    this.messages = undefined;
    await previous?.close().catch(() => undefined);
    const consumer = await jetstream(nc).consumers.get(this.stream, { deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume();
    this.messages = messages;
    this.setFollowing(true);
    onChange(new Set(CHANGE_KINDS));
    void (async () => {
      try {
        for await (const m of messages) {
          m.ack();
          onChange(kindsOf(m.string()));
        }
      } finally {
        if (this.messages === messages) this.setFollowing(false);
      }
    })().catch((error: unknown) => this.followFailed(error));
  }

  /** Stops following and closes the connection; never throws (failures are logged). */
  async close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    const messages = this.messages;
    this.messages = undefined;
    this.setFollowing(false);
    await messages?.close().catch(() => undefined);
    await this.link.close();
  }
}
