/**
 * Prometheus metrics of the service (one registry per process, served at /metrics):
 * submissions, matches, actions and webhook deliveries, and the time from receipt to each
 * step of hash – match – act.
 */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

const STEP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly submitted = new Counter({
    name: "rasd_content_submitted_total",
    help: "Content items accepted (202), by kind",
    labelNames: ["kind"],
    registers: [this.registry],
  });
  readonly processed = new Counter({
    name: "rasd_content_processed_total",
    help: "Content items through hash and match, by outcome (matched, no_match, failed)",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly classified = new Counter({
    name: "rasd_content_classified_total",
    help: "Texts classified by the stance model, by predicted stance and language",
    labelNames: ["stance", "lang"],
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: "rasd_actions_total",
    help: "Actions taken, by type and final status",
    labelNames: ["type", "status"],
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: "rasd_webhook_attempts_total",
    help: "Webhook delivery attempts, by result (delivered, retry, dead)",
    labelNames: ["result"],
    registers: [this.registry],
  });
  readonly endpointsDisabled = new Counter({
    name: "rasd_webhook_endpoints_disabled_total",
    help: "Webhook endpoints disabled after sustained failure (their deliveries held until re-enabled)",
    registers: [this.registry],
  });
  readonly step = new Histogram({
    name: "rasd_time_to_step_seconds",
    help: "Seconds from receipt to each step of hash – match – act (hashed, matched, classified, acted)",
    labelNames: ["step"],
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  readonly indexSize = new Gauge({
    name: "rasd_index_signals",
    help: "Signals in the in-memory match indexes, by type",
    labelNames: ["type"],
    registers: [this.registry],
  });
  readonly natsConnected = new Gauge({
    name: "rasd_nats_connected",
    help: "1 while the NATS connection works (signal bus: notices followed; work queue: connected), else 0",
    labelNames: ["connection"],
    registers: [this.registry],
  });
  readonly indexAge = new Gauge({
    name: "rasd_index_sync_age_seconds",
    help: "Seconds since the match indexes last synced from the database's change cursor",
    registers: [this.registry],
  });
  readonly jobs = new Gauge({
    name: "rasd_jobs",
    help: "Jobs not yet done, by kind and status",
    labelNames: ["kind", "status"],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: "rasd_process_" });
    // Every series present from the start, at zero, in every kind of process: an API process
    // whose pipeline runs in worker processes shows them too (a dashboard or an alert on
    // `rate(...)` finds the series it expects rather than none).
    for (const outcome of ["matched", "no_match", "failed"]) this.processed.inc({ outcome }, 0);
    for (const [type, status] of [
      ["webhook", "pending"],
      ["webhook", "delivered"],
      ["review", "done"],
      ["decision", "done"],
    ] as const)
      this.actions.inc({ type, status }, 0);
    for (const result of ["delivered", "retry", "dead"]) this.deliveries.inc({ result }, 0);
    for (const step of ["hashed", "matched", "classified", "acted"]) this.step.zero({ step });
  }
}
