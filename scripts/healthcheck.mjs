#!/usr/bin/env node
/* global fetch, AbortSignal */
// The container's health check (Dockerfile HEALTHCHECK, compose.yaml): exit 0 when this
// container's rasd answers GET /status/live with 200 — an API process on RASD_PORT (8080), a
// worker on RASD_WORKER_PORT (9464) — and 1 otherwise. Liveness only: readiness (database,
// NATS, the signal feed) is /status/ready and /status, for load balancers.
const ports = [process.env.RASD_PORT || "8080", process.env.RASD_WORKER_PORT || "9464"].filter((p) => p !== "0");
const live = (port) =>
  fetch(`http://127.0.0.1:${port}/status/live`, { signal: AbortSignal.timeout(3000) }).then((r) => {
    if (!r.ok) throw new Error(`port ${port}: ${r.status}`);
  });
Promise.any(ports.map(live)).then(
  () => process.exit(0),
  () => process.exit(1),
);
