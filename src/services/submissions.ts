/**
 * Accepting content with group commit: concurrent submissions wait a moment and are written
 * in one transaction (one fsync for many items), which is what lets a single SQLite file
 * accept thousands of items a second with every 202 durable.
 */

import type { RasdError } from "../core/errors.js";
import type { Accepted, ContentStore, NewContent } from "../storage/ports/index.js";

interface Waiting {
  readonly item: NewContent;
  readonly resolve: (r: Accepted | RasdError) => void;
  readonly reject: (e: unknown) => void;
}

export class SubmissionBatcher {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(
    private readonly content: ContentStore,
    /** Told of newly accepted item ids (to wake the workers). */
    public onAccepted: (ids: readonly number[]) => void = () => undefined,
    private readonly maxBatch = 2000,
  ) {}

  submit(item: NewContent): Promise<Accepted | RasdError> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.content.accept(batch.map((w) => w.item));
        results.forEach((r, i) => batch[i]!.resolve(r));
        this.onAccepted(results.flatMap((r) => ("id" in r && !r.replay ? [r.id] : [])));
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.flushing = false;
  }
}
