/**
 * One PDQ index for the whole of `rasd serve`: the HTTP thread's matcher owns it, on
 * SharedArrayBuffers, and each pipeline thread's matcher searches a replica over the same
 * memory (decision 0016). Before, every thread built and kept its own copy (about 90 bytes
 * a hash each). Over a MessagePort per pipeline thread:
 *
 * - owner → replica `{ view }`: the index's arrays after each change of layout (a write
 *   buffer filled, a merge installed); appends and removals show through shared memory;
 * - replica → owner `{ caughtUp: id }`: the pipeline is about to match a batch; the owner
 *   runs a sync that begins after the request arrived (so after the batch was leased),
 *   then answers `{ caughtUp: id }` — after any `view` that sync caused, since a port
 *   delivers in order — or `{ caughtUp: id, error }`.
 */

import type { MessagePort } from "node:worker_threads";
import type { PdqIndexView } from "../kernels/pdq-index/pdq-index.js";
import type { Matcher } from "../services/matcher.js";
import { PdqSignalIndex } from "../signals/types/pdq.js";

type ToReplica = { view: PdqIndexView } | { caughtUp: number; error?: string };
interface ToOwner {
  caughtUp: number;
}

/** The owner's side of one replica's port. `loaded` resolves once the owner's matcher is loaded. */
export function serveReplica(matcher: Matcher, index: PdqSignalIndex, port: MessagePort, loaded: Promise<void>): void {
  const send = (m: ToReplica): void => port.postMessage(m);
  index.onView((view) => send({ view }));
  send({ view: index.view() });
  port.on("message", (m: ToOwner) => {
    void (async () => {
      try {
        await loaded;
        await matcher.caughtUp(performance.now());
        send({ caughtUp: m.caughtUp });
      } catch (error) {
        send({ caughtUp: m.caughtUp, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  port.unref();
}

/** A replica of the owner's index behind `port`, for a pipeline thread's matcher. */
export function followOwner(port: MessagePort): PdqSignalIndex {
  const index = new PdqSignalIndex("replica");
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let next = 0;
  let inFlight: { sentAt: number; done: Promise<void> } | undefined;
  port.on("message", (m: ToReplica) => {
    if ("view" in m) {
      index.setView(m.view);
      return;
    }
    const w = waiting.get(m.caughtUp);
    waiting.delete(m.caughtUp);
    if (m.error === undefined) w?.resolve();
    else w?.reject(new Error(`the PDQ index's owner could not catch up: ${m.error}`));
  });
  port.unref();
  index.setOwner((since) => {
    // A request sent after `since` and not yet answered covers it.
    if (inFlight && inFlight.sentAt > since) return inFlight.done;
    const id = next++;
    const sentAt = performance.now();
    const done = new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject }));
    const current = { sentAt, done };
    inFlight = current;
    const clear = (): void => {
      if (inFlight === current) inFlight = undefined;
    };
    done.then(clear, clear);
    port.postMessage({ caughtUp: id } satisfies ToOwner);
    return done;
  });
  return index;
}
