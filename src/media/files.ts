/**
 * Reading files for hashing: size-bounded, with errors that say which limit was hit, and
 * directory expansion to the image files below a folder.
 */

import { open, readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { RasdError } from "../core/errors.js";
import { formatBytes } from "./limits.js";

/** Reads a whole file, refusing it before reading when it is larger than `maxBytes`. */
export async function readFileBounded(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new RasdError("file.not_a_file", "not a regular file");
    if (info.size > maxBytes) {
      throw new RasdError(
        "file.too_large",
        `file is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} limit (raise it with --max-bytes)`,
      );
    }
    const buffer = Buffer.allocUnsafe(info.size);
    let offset = 0;
    while (offset < info.size) {
      const { bytesRead } = await handle.read(buffer, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return offset === info.size ? buffer : buffer.subarray(0, offset);
  } catch (error) {
    if (error instanceof RasdError) throw error;
    throw fileError(path, error);
  } finally {
    await handle.close();
  }
}

function fileError(path: string, error: unknown): RasdError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return new RasdError("file.not_found", "no such file", { cause: error });
  if (code === "EISDIR") return new RasdError("file.not_a_file", "is a directory", { cause: error });
  if (code === "EACCES") return new RasdError("file.unreadable", "permission denied", { cause: error });
  return new RasdError("file.unreadable", `cannot read ${path}: ${code ?? String(error)}`, { cause: error });
}

const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ".jpg",
  ".jpeg",
  ".jpe",
  ".jfif",
  ".png",
  ".webp",
  ".gif",
  ".tif",
  ".tiff",
  ".bmp",
  ".dib",
]);

/**
 * Expands each argument: a file stays as given; a directory becomes the image files below
 * it (by extension, recursively, sorted by path). Missing paths are kept so that the
 * caller reports them in order.
 */
export async function expandPaths(args: readonly string[], extensions = IMAGE_EXTENSIONS): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch {
      out.push(arg);
      continue;
    }
    if (info.isDirectory()) out.push(...(await filesBelow(arg, extensions)));
    else out.push(arg);
  }
  return out;
}

async function filesBelow(dir: string, extensions: ReadonlySet<string>): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesBelow(path, extensions)));
    else if (entry.isFile() && extensions.has(extname(entry.name).toLowerCase())) out.push(path);
  }
  return out;
}
