/**
 * The master key webhook secrets are sealed with (kernels/crypto/secret-box.ts): RASD_SECRET_KEY
 * when set, else `secret.key` in the data folder, made on first use with 32 random bytes and
 * mode 0600. Several processes sharing one PostgreSQL database must share the key: set
 * RASD_SECRET_KEY (or give them the same key file), or they cannot read each other's secrets.
 */

import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.js";
import { RasdError } from "../core/errors.js";
import { SECRET_KEY_BYTES } from "../kernels/crypto/secret-box.js";
import { getLogger } from "../logging/logger.js";

export const SECRET_KEY_FILE = "secret.key";

/** The master key: from the configuration, or the data folder's key file (made if missing). */
export function loadSecretKey(config: Pick<Config, "dataDir" | "webhooks" | "databaseUrl">): Uint8Array {
  if (config.webhooks.secretKey) return config.webhooks.secretKey;
  const file = join(config.dataDir, SECRET_KEY_FILE);
  if (!config.databaseUrl.startsWith("sqlite:"))
    getLogger("secrets").warn(
      { file },
      "RASD_SECRET_KEY is not set: webhook secrets are sealed with this data folder's key file; every process on this database needs the same key",
    );
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  try {
    // "wx": two processes starting at once do not both write; the loser reads the winner's key.
    writeFileSync(file, `${randomBytes(SECRET_KEY_BYTES).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const text = readFileSync(file, "utf8").trim();
  const key = Buffer.from(text, "base64");
  if (key.length !== SECRET_KEY_BYTES)
    throw new RasdError(
      "usage",
      `${file}: expected the base64 of ${SECRET_KEY_BYTES} bytes, found ${key.length} bytes`,
    );
  return new Uint8Array(key);
}
