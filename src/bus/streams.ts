/**
 * The JetStream streams rasd creates are made to match this process's settings: created
 * with them when missing, and updated on start (on every connection) when the server's
 * copy differs in replicas (RASD_NATS_REPLICAS). A server that cannot have them (more
 * replicas than a single server or the cluster has) is reported with the setting to change,
 * code `nats.stream`.
 */

import type { JetStreamManager, StreamConfig } from "@nats-io/jetstream";
import { RasdError } from "../core/errors.js";
import { getLogger } from "../logging/logger.js";

export type StreamSettings = Partial<StreamConfig> & { readonly name: string; readonly num_replicas: number };

/** Creates the stream, or updates its replicas; throws `nats.stream` naming the setting when refused. */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<void> {
  let current: StreamConfig | undefined;
  try {
    current = (await jsm.streams.info(settings.name)).config;
  } catch {
    current = undefined;
  }
  try {
    if (!current) {
      await jsm.streams.add(settings);
      return;
    }
    if (current.num_replicas === settings.num_replicas) return;
    await jsm.streams.update(settings.name, { ...current, num_replicas: settings.num_replicas });
    getLogger("nats").info(
      { stream: settings.name, from: current.num_replicas, to: settings.num_replicas },
      `stream ${settings.name} now has ${settings.num_replicas} replica(s) (RASD_NATS_REPLICAS)`,
    );
  } catch (error) {
    const has = current ? `; it has ${current.num_replicas}` : "";
    throw new RasdError(
      "nats.stream",
      `NATS refused stream ${settings.name} with ${settings.num_replicas} replica(s) (RASD_NATS_REPLICAS)${has}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
