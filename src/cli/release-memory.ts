/**
 * Returning decoded pixels to the system promptly in a long `rasd hash pdq` run.
 *
 * libvips hands each decoded image over as an external buffer (up to 9.4 MB for a
 * 2048x1536 RGB JPEG) that is freed only when V8 collects its wrapper. V8's heap stays tiny
 * while hashing, so it collects rarely, and about 80 MB of hashed images waited to be freed at
 * the peak (decision 0051). A full collection of that small heap every few tens of megabytes
 * decoded frees them in about a millisecond each time; with glibc's fixed mmap threshold
 * (bin/rasd sets it) the freed pixels go back to the system at once.
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Decoded bytes between collections: about two of the largest bench images. */
export const RELEASE_EVERY_BYTES = 16 * 1024 * 1024;

type Collect = () => void;

let collect: Collect | null | undefined;

/** V8's full collection, or null where it cannot be had (then nothing is forced). */
function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    collect = typeof gc === "function" ? (gc as Collect) : null;
  } catch {
    collect = null;
  }
  return collect;
}

/**
 * Counts decoded bytes and collects after every `every` of them (`gc`: V8's full collection
 * by default; nothing is collected when it is null).
 */
export function decodedMemoryReleaser(
  every = RELEASE_EVERY_BYTES,
  gc: Collect | null = collector(),
): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (gc === null || since < every) return;
    since = 0;
    gc();
  };
}
