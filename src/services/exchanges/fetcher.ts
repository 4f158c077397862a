/**
 * The background fetcher a worker runs: every `pollMs` it looks for an exchange that is due and
 * fetches it (ExchangeService.fetchExchange leases it, so several workers share the exchanges
 * without fetching one twice). Fetches run side by side, up to `concurrency`: an exchange that
 * long-polls its remote (rasd's change feed) holds its fetch open for seconds and must not keep
 * the others waiting, so at most `concurrency - 1` lanes may long-poll at once and one is always
 * left for the rest. A lane that found work starts another at once (more may be due); a lane
 * that found none ends. Stopping waits for the fetches in hand, at most STOP_WAIT_MS: a long poll
 * is not waited out (its step is not saved; the lease expires and the step is fetched again).
 */

import { describeError } from "../../core/errors.js";
import { getLogger } from "../../logging/logger.js";
import type { ExchangeService } from "./service.js";

export const EXCHANGE_POLL_MS = 1000;
/** Fetches one worker runs at once. */
export const EXCHANGE_CONCURRENCY = 8;
const STOP_WAIT_MS = 3000;
/** How often a worker looks for relays to send again (a look is a write: a lease). */
const RELAY_LOOK_MS = 5000;

export class ExchangeFetcher {
  private timer: NodeJS.Timeout | undefined;
  private readonly lanes = new Set<Promise<void>>();
  private stopped = true;
  /** Lanes whose fetch may long-poll now. */
  private waiting = 0;
  private relaying: Promise<void> | undefined;
  private relayLookedAt = -Infinity;
  private readonly log = getLogger("exchanges");

  constructor(
    private readonly exchanges: ExchangeService,
    private readonly owner: string,
    private readonly pollMs = EXCHANGE_POLL_MS,
    private readonly concurrency = EXCHANGE_CONCURRENCY,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.lane();
    this.relay();
    this.timer = setTimeout(() => this.tick(), this.pollMs);
    this.timer.unref();
  }

  /** Starts a lane if there is room: it fetches due exchanges one after another until none is due. */
  private lane(): void {
    if (this.stopped || this.lanes.size >= this.concurrency) return;
    const run = (async () => {
      try {
        for (let n = 0; n < 1000 && !this.stopped; n++) {
          const mayWait = this.waiting < this.concurrency - 1;
          if (mayWait) this.waiting++;
          const done = await this.exchanges
            .fetchExchange(this.owner, undefined, { mayWait })
            .finally(() => mayWait && this.waiting--);
          if (!done) break;
          // It found one: others may be due too, fetch them beside this lane.
          if (n === 0) this.lane();
        }
      } catch (error) {
        this.log.warn({ err: describeError(error) }, "exchange fetcher lane failed");
      }
    })();
    this.lanes.add(run);
    void run.finally(() => this.lanes.delete(run));
  }

  /** Sends again, beside the fetches, the opinions whose relay to their owner failed (decision 0048). */
  private relay(): void {
    if (this.relaying || performance.now() - this.relayLookedAt < RELAY_LOOK_MS) return;
    this.relayLookedAt = performance.now();
    this.relaying = (async () => {
      try {
        while (!this.stopped && (await this.exchanges.relayQueued(this.owner)) > 0);
      } catch (error) {
        this.log.warn({ err: describeError(error) }, "opinion relays failed");
      }
    })().finally(() => (this.relaying = undefined));
  }

  /** Fetches every due exchange once, in this call (tests, the CLI); the number fetched. */
  async round(): Promise<number> {
    let n = 0;
    try {
      while (n < 1000 && (await this.exchanges.fetchExchange(this.owner))) n++;
    } catch (error) {
      this.log.warn({ err: describeError(error) }, "exchange fetcher round failed");
    }
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.lanes, this.relaying]),
      new Promise((r) => {
        timer = setTimeout(r, STOP_WAIT_MS);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
