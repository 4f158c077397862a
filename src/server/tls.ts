/**
 * The certificate and key rasd serves HTTPS with (`--tls-cert`, `--tls-key`), read once at
 * start-up and checked together, so a wrong path or a key of another certificate stops
 * `rasd serve` with a message naming the file instead of failing on the first connection.
 */

import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { RasdError, describeError } from "../core/errors.js";

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new RasdError("usage", `cannot read the TLS ${what} ${file}: ${describeError(error)}`, { cause: error });
  }
}

/** Reads and checks the PEM files; throws "usage" naming what is wrong. */
export async function readTls(files: { readonly certFile: string; readonly keyFile: string }): Promise<TlsMaterial> {
  const material = { cert: await readPem(files.certFile, "certificate"), key: await readPem(files.keyFile, "key") };
  try {
    createSecureContext(material);
  } catch (error) {
    throw new RasdError(
      "usage",
      `the TLS certificate ${files.certFile} and key ${files.keyFile} are not a usable pair: ${describeError(error)}`,
      { cause: error },
    );
  }
  return material;
}
