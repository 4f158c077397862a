/**
 * A NATS connection's life in the log: disconnects, reconnects and server errors, so that
 * an operator sees why notices or work stopped flowing for a while (the client reconnects
 * by itself; nothing here changes that).
 */

import type { NatsConnection, Status } from "@nats-io/transport-node";
import { getLogger } from "../logging/logger.js";

/** Logs the connection's status changes until it closes. */
export function logConnectionStatus(nc: NatsConnection, component: string): void {
  void (async () => {
    for await (const status of nc.status()) logStatus(component, status);
  })().catch((error: unknown) => getLogger(component).warn({ err: error }, "NATS status stream ended"));
}

function logStatus(component: string, status: Status): void {
  const log = getLogger(component);
  switch (status.type) {
    case "disconnect":
      log.warn({ server: status.server }, "NATS disconnected; reconnecting");
      break;
    case "reconnect":
      log.info({ server: status.server }, "NATS reconnected");
      break;
    case "error":
      log.error({ err: status.error }, "NATS server error");
      break;
    case "staleConnection":
    case "slowConsumer":
    case "ldm":
      log.warn({ status: status.type }, `NATS ${status.type}`);
      break;
    default:
      log.debug({ status: status.type }, `NATS ${status.type}`);
  }
}
