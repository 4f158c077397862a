/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal, so piped and
 * logged output stays clean.
 */

export class ProgressBar {
  private done = 0;
  private failed = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;
  private readonly unbounded: boolean;

  constructor(
    private readonly total: number,
    private readonly label: string,
    enabled: boolean = process.stderr.isTTY === true,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = enabled && total > 1;
    this.unbounded = !Number.isFinite(total);
  }

  /** For work of unknown size: shows a count and a rate. */
  set(done: number): void {
    this.done = done;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 80) return;
    this.lastDraw = now;
    this.draw(now);
  }

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 80 && this.done < this.total) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Erases the bar so that other stderr lines are not interleaved with it. */
  clear(): void {
    if (this.enabled) this.stream.write("\r\x1b[2K");
  }

  redraw(): void {
    if (this.enabled) this.draw(Date.now());
  }

  finish(): void {
    if (!this.enabled) return;
    this.draw(Date.now());
    this.stream.write("\n");
  }

  private draw(now: number): void {
    if (this.unbounded) {
      const seconds = (now - this.started) / 1000;
      const rate = seconds > 0 ? this.done / seconds : 0;
      this.stream.write(`\r\x1b[2K${this.label} ${this.done} records ${rate.toFixed(0)}/s`);
      return;
    }
    const width = 30;
    const fraction = this.total === 0 ? 1 : this.done / this.total;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const failed = this.failed > 0 ? `, ${this.failed} failed` : "";
    this.stream.write(
      `\r\x1b[2K${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${this.done}/${this.total}` +
        ` ${rate.toFixed(1)}/s ETA ${eta.toFixed(0)}s${failed}`,
    );
  }
}
