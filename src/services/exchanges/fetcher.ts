/**
 * The background fetcher a worker runs: every `pollMs` it fetches each exchange that is due
 * (ExchangeService.fetchExchange leases it, so several workers share the exchanges without
 * fetching one twice), until none is due. Stopping waits for the fetch in hand.
 */

import { describeError } from "../../core/errors.js";
import { getLogger } from "../../logging/logger.js";
import type { ExchangeService } from "./service.js";

export const EXCHANGE_POLL_MS = 1000;

export class ExchangeFetcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly log = getLogger("exchanges");

  constructor(
    private readonly exchanges: ExchangeService,
    private readonly owner: string,
    private readonly pollMs = EXCHANGE_POLL_MS,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().then(() => {
        this.running = undefined;
        this.schedule(this.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** Fetches every due exchange once (a fetch that has more comes due again at once). */
  async round(): Promise<number> {
    let n = 0;
    try {
      while (!this.stopped || n === 0) {
        const done = await this.exchanges.fetchExchange(this.owner);
        if (!done) break;
        n++;
        if (n > 1000) break;
      }
    } catch (error) {
      this.log.warn({ err: describeError(error) }, "exchange fetcher round failed");
    }
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
