/**
 * NATS for tests: the server on 127.0.0.1:4222 (RASD_TEST_NATS_URL). Tests skip, saying so,
 * when it is unreachable — unless RASD_REQUIRE_NATS=1 (CI sets it), when they fail instead.
 */

import { connect as netConnect } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

export const NATS_URL = process.env.RASD_TEST_NATS_URL ?? "nats://127.0.0.1:4222";

/** `skip` option for NATS suites. */
export async function natsSkip(): Promise<string | false> {
  const { hostname, port } = new URL(NATS_URL);
  const up = await new Promise<boolean>((resolve) => {
    const socket = netConnect(Number(port || 4222), hostname, () => {
      socket.end();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
  if (up) return false;
  if (process.env.RASD_REQUIRE_NATS === "1") throw new Error(`NATS is required but unreachable at ${NATS_URL}`);
  return `SKIPPED: NATS unreachable at ${NATS_URL}`;
}

/** Deletes a test's JetStream streams. */
export async function deleteStreams(...names: string[]): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const name of names) await jsm.streams.delete(name).catch(() => false);
  await nc.close();
}
