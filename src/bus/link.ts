/**
 * One NATS connection that never gives up. A process may start while NATS is down (it runs
 * degraded: work and signal changes are polled from the database) and keeps trying in the
 * background; once connected, the client reconnects for ever, waiting longer between tries
 * (250 ms doubling to `reconnectMaxMs`, with jitter) so that many processes do not hammer a
 * returning server together. Whoever uses the connection registers `onConnect`, which runs
 * on the first connection and after every reconnect (to re-create streams and consumers).
 *
 * State changes are logged once each (not per attempt), and `state` says where it is, for
 * readiness and the `rasd_nats_connected` metric.
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { getLogger, redactUrl } from "../logging/logger.js";

export type LinkState = "connecting" | "connected" | "disconnected" | "closed";

export interface LinkOptions {
  /** The client name the server shows. */
  readonly name: string;
  /** The longest wait between connection attempts (default 5 s). */
  readonly reconnectMaxMs?: number;
}

const FIRST_WAIT_MS = 250;

/** The wait before attempt `n` (0-based): 250 ms doubling up to `max`, the upper half jittered. */
export function backoffMs(n: number, max: number): number {
  const wait = Math.min(max, FIRST_WAIT_MS * 2 ** Math.min(n, 20));
  return Math.round(wait / 2 + (Math.random() * wait) / 2);
}

export class NatsLink {
  private nc: NatsConnection | undefined;
  private current: LinkState = "connecting";
  private readonly handlers: ((nc: NatsConnection) => Promise<void>)[] = [];
  private readonly watchers: ((state: LinkState) => void)[] = [];
  private attempts = 0;
  private sleeping: NodeJS.Timeout | undefined;
  private wakeSleeper: (() => void) | undefined;
  private readonly log;
  private readonly maxMs: number;

  private constructor(
    readonly url: string,
    private readonly options: LinkOptions,
  ) {
    this.log = getLogger(options.name);
    this.maxMs = options.reconnectMaxMs ?? 5000;
  }

  /** Starts connecting in the background; `ready` resolves on the first connection. */
  static open(url: string, options: LinkOptions): NatsLink {
    const link = new NatsLink(url, options);
    link.ready = link.dial();
    return link;
  }

  /** Resolves when first connected (or undefined if closed before). */
  ready: Promise<NatsConnection | undefined> = Promise.resolve(undefined);

  get state(): LinkState {
    return this.current;
  }

  /** The connection while connected. */
  get connection(): NatsConnection | undefined {
    return this.current === "connected" ? this.nc : undefined;
  }

  /** Runs `setup` now if connected, and after every (re)connection. */
  onConnect(setup: (nc: NatsConnection) => Promise<void>): void {
    this.handlers.push(setup);
    if (this.current === "connected" && this.nc) void this.run(setup, this.nc);
  }

  /** Told of every state change. */
  onState(watch: (state: LinkState) => void): void {
    this.watchers.push(watch);
  }

  private setState(state: LinkState): void {
    if (state === this.current) return;
    this.current = state;
    for (const w of this.watchers) w(state);
  }

  private async run(setup: (nc: NatsConnection) => Promise<void>, nc: NatsConnection): Promise<void> {
    try {
      await setup(nc);
    } catch (error) {
      this.log.warn({ err: error }, "setting up NATS streams after connecting failed; retried on the next reconnect");
    }
  }

  private closed(): boolean {
    return this.current === "closed";
  }

  private async dial(): Promise<NatsConnection | undefined> {
    const url = redactUrl(this.url);
    for (;;) {
      if (this.closed()) return undefined;
      try {
        const nc = await connect({
          servers: this.url,
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectDelayHandler: () => backoffMs(this.attempts++, this.maxMs),
          // The first attempt fails fast; this loop retries it.
          timeout: 5000,
        });
        if (this.closed()) {
          await nc.close();
          return undefined;
        }
        this.nc = nc;
        if (this.attempts > 0) this.log.info({ nats: url }, `connected to NATS at ${url}`);
        else this.log.debug({ nats: url }, `connected to NATS at ${url}`);
        this.attempts = 0;
        this.watch(nc, url);
        this.setState("connected");
        for (const h of this.handlers) await this.run(h, nc);
        return nc;
      } catch (error) {
        if (this.attempts === 0)
          this.log.warn(
            { err: error, nats: url },
            `NATS at ${url} is unreachable; running without it (work and signal changes are polled from the database) and retrying in the background`,
          );
        await this.sleep(backoffMs(this.attempts++, this.maxMs));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleeper = resolve;
      this.sleeping = setTimeout(resolve, ms);
    });
  }

  /** Follows the connection's status: one log line per change of state. */
  private watch(nc: NatsConnection, url: string): void {
    void (async () => {
      for await (const status of nc.status()) {
        switch (status.type) {
          case "disconnect":
            if (this.current === "connected") {
              this.log.warn(
                { nats: url },
                `NATS at ${url} disconnected; reconnecting in the background (work and signal changes are polled from the database meanwhile)`,
              );
              this.setState("disconnected");
            }
            break;
          case "reconnect":
            this.log.info({ nats: url, attempts: this.attempts }, `NATS at ${url} reconnected`);
            this.attempts = 0;
            this.setState("connected");
            for (const h of this.handlers) await this.run(h, nc);
            break;
          case "error":
            this.log.error({ err: status.error }, "NATS server error");
            break;
          case "staleConnection":
          case "slowConsumer":
          case "ldm":
            this.log.warn({ status: status.type }, `NATS ${status.type}`);
            break;
          default:
            // "reconnecting" and "ping" come once per attempt: not worth a line each.
            break;
        }
      }
    })().catch((error: unknown) => this.log.warn({ err: error }, "NATS status stream ended"));
    void nc.closed().then((error) => {
      if (this.current !== "closed") {
        this.log.error({ err: error, nats: url }, `NATS connection to ${url} closed; reconnecting`);
        this.setState("disconnected");
        this.nc = undefined;
        this.ready = this.dial();
      }
    });
  }

  /**
   * Drains the connection (within `timeoutMs`) or, if not connected, closes it. Never throws:
   * failures are logged, since a process that is stopping must go on stopping.
   */
  async close(timeoutMs = 5000): Promise<void> {
    const nc = this.nc;
    const connected = this.current === "connected";
    this.setState("closed");
    if (this.sleeping) clearTimeout(this.sleeping);
    this.wakeSleeper?.();
    if (!nc) return;
    try {
      if (connected) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<"timeout">((r) => {
          timer = setTimeout(() => r("timeout"), timeoutMs);
        });
        const drained = await Promise.race([nc.drain().then(() => "drained" as const), timeout]);
        clearTimeout(timer);
        if (drained === "timeout") {
          this.log.warn(`draining the NATS connection took over ${timeoutMs} ms; closing it`);
          await nc.close();
        }
      } else await nc.close();
    } catch (error) {
      this.log.warn({ err: error }, "closing the NATS connection failed (ignored: stopping anyway)");
      await nc.close().catch(() => undefined);
    }
  }
}
