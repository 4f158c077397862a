/**
 * The loop both workers run: call `step` until it finds nothing to do, then wait for a wake
 * or the next poll. `stop` lets the current step finish.
 */

import { getLogger } from "../logging/logger.js";

export class JobLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly name: string,
    /** Does one batch of work; returns how many jobs it handled (0: nothing to do). */
    private readonly step: () => Promise<number>,
    private pollMs: number,
  ) {}

  /** Looks for work every `ms` when idle, from the next wait on. */
  setPollMs(ms: number): void {
    this.pollMs = ms;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** New work was queued in this process: look now rather than at the next poll. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    if (this.timer) clearTimeout(this.timer);
    w?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await this.step();
      } catch (error) {
        getLogger(this.name).error({ err: error }, "a batch of jobs failed; retrying at the next poll");
      }
      if (n === 0 && this.running)
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(resolve, this.pollMs);
        });
    }
  }
}
