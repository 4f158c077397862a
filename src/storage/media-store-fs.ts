/**
 * The media port (ports/media.ts) on a folder: DATA/media by default, or RASD_MEDIA_DIR — a
 * shared file system (NFS, a volume) when several processes run. An object is the file
 * `DIR/ab/cd/<sha256>`; it is written to `DIR/.tmp/`, fsynced, renamed into place and its
 * folder fsynced, so a reader never sees part of a file and a crash leaves either nothing or
 * the whole object (and at worst a temporary file, removed an hour later by the next open).
 * Folders rasd creates are 0700 and files 0600 (private-files.ts): submitted media is as
 * private as the database.
 */

import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { mkdir, open, opendir, readFile, rename, rm, stat, unlink, utimes } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { MediaObject, MediaStore, StoredMedia } from "./ports/media.js";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "./private-files.js";

const KEY = /^[0-9a-f]{64}$/;
const TMP = ".tmp";
/** Temporary files older than this are a killed writer's leftovers. */
const STALE_TMP_MS = 3_600_000;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ENOENT";
}

/** Creates `dir` and the missing folders above it as 0700; existing ones are left as they are. */
function privateDirSync(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(d, PRIVATE_DIR_MODE);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class FileMediaStore implements MediaStore {
  readonly location: string;
  private readonly tmp: string;
  private made = false;

  private constructor(dir: string) {
    this.location = resolve(dir);
    this.tmp = join(this.location, TMP);
  }

  /**
   * Opens the folder and removes temporary files older than an hour. The folder is made (0700)
   * by the first put, so commands that store no media leave no folder behind.
   */
  static async open(dir: string): Promise<FileMediaStore> {
    const store = new FileMediaStore(dir);
    if (!existsSync(store.tmp)) return store;
    store.made = true;
    const now = Date.now();
    for await (const e of await opendir(store.tmp)) {
      const file = join(store.tmp, e.name);
      const s = await stat(file).catch(() => undefined);
      if (s && now - s.mtimeMs > STALE_TMP_MS) await rm(file, { force: true });
    }
    return store;
  }

  /** The file an object lives in; refuses anything but a SHA-256 key (no path tricks). */
  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a media key (lower-case hex SHA-256): ${JSON.stringify(key)}`);
    return join(this.location, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Uint8Array): Promise<StoredMedia> {
    const key = createHash("sha256").update(bytes).digest("hex");
    const file = this.pathOf(key);
    const now = new Date();
    try {
      // Already stored (same bytes, by construction): renew it so a sweep under way keeps it.
      await utimes(file, now, now);
      return { key, size: bytes.byteLength };
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    if (!this.made) {
      privateDirSync(this.tmp);
      this.made = true;
    }
    const dir = dirname(file);
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = join(this.tmp, `${key}.${process.pid}.${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "wx", PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(tmp, file);
    await fsyncDir(dir);
    return { key, size: bytes.byteLength };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string, unchangedSince?: number): Promise<boolean> {
    const file = this.pathOf(key);
    try {
      if (unchangedSince !== undefined && (await stat(file)).mtimeMs >= unchangedSince) return false;
      await unlink(file);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async *list(): AsyncIterable<MediaObject> {
    for (const a of await subdirs(this.location))
      for (const b of await subdirs(join(this.location, a)))
        for await (const e of await opendir(join(this.location, a, b))) {
          if (!e.isFile() || !KEY.test(e.name)) continue;
          const s = await stat(join(this.location, a, b, e.name)).catch(() => undefined);
          if (s) yield { key: e.name, size: s.size, modifiedAt: s.mtimeMs };
        }
  }
}

/** The two-hex-digit folders of `dir` (the fan-out levels). */
async function subdirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of await opendir(dir)) if (e.isDirectory() && /^[0-9a-f]{2}$/.test(e.name)) out.push(e.name);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  return out.sort();
}
