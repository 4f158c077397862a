/**
 * Refused requests in the audit log (401, 403, 429): who or what was refused, from where, on
 * which route. A flood must not flood the log, so refusals are aggregated: the first refusal of
 * a kind (status, code, source address, person) is written at once, the rest of its minute are
 * counted and written as one "request.refused.repeated" entry when the minute ends. At most
 * `maxKinds` kinds are tracked at a time; beyond that, refusals are counted under one kind for
 * "many sources", so memory and audit rows stay bounded whatever the attacker varies.
 */

import type { FastifyRequest } from "fastify";
import { getLogger } from "../logging/logger.js";
import { LogThrottle } from "../logging/throttle.js";
import { describePrincipal, type Principal } from "../services/access.js";
import type { AuditEntry } from "../storage/ports/access.js";

export interface Refusal {
  readonly status: number;
  readonly code: string;
}

export interface RefusalAuditOptions {
  /** How long repeats of one kind are counted before their summary entry (default 60 s). */
  readonly windowMs?: number;
  /** Kinds tracked at once (default 10,000). */
  readonly maxKinds?: number;
}

interface Pending {
  readonly first: AuditEntry;
  repeats: number;
  readonly timer: NodeJS.Timeout;
}

/** The statuses that are refusals. */
export const REFUSED = new Set([401, 403, 429]);

export class RefusalAudit {
  private readonly pending = new Map<string, Pending>();
  private readonly windowMs: number;
  private readonly maxKinds: number;
  private readonly failing = new LogThrottle();
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly write: (entry: AuditEntry) => Promise<void>,
    options: RefusalAuditOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKinds = options.maxKinds ?? 10_000;
  }

  /** Records a refusal of `req` (a no-op for statuses that are not refusals). */
  record(req: FastifyRequest, refusal: Refusal, who: Principal | undefined): void {
    if (!REFUSED.has(refusal.status)) return;
    const route = `${req.method} ${req.routeOptions.url ?? req.url.split("?")[0]!.slice(0, 200)}`;
    let key = [refusal.status, refusal.code, req.ip, who?.personId ?? ""].join("|");
    let source = req.ip;
    if (!this.pending.has(key) && this.pending.size >= this.maxKinds) {
      key = `${refusal.status}|overflow`;
      source = "many sources";
    }
    const seen = this.pending.get(key);
    if (seen) {
      seen.repeats++;
      return;
    }
    const first: AuditEntry = {
      orgId: who?.orgId ?? null,
      personId: who?.personId ?? null,
      actor: who ? describePrincipal(who) : "anonymous",
      action: "request.refused",
      target: `route:${route}`,
      detail: { status: refusal.status, code: refusal.code },
      source,
    };
    const timer = setTimeout(() => this.summarise(key), this.windowMs);
    timer.unref();
    this.pending.set(key, { first, repeats: 0, timer });
    this.send(first);
  }

  /** Writes the summaries still counting (when the server closes). */
  async flush(): Promise<void> {
    for (const [key, p] of this.pending) {
      clearTimeout(p.timer);
      this.summarise(key);
    }
    await Promise.all(this.writes);
  }

  private summarise(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    this.pending.delete(key);
    if (p.repeats === 0) return;
    this.send({
      ...p.first,
      action: "request.refused.repeated",
      detail: { ...p.first.detail, repeats: p.repeats, withinSeconds: Math.round(this.windowMs / 1000) },
    });
  }

  private send(entry: AuditEntry): void {
    const w = this.write(entry)
      .catch((error: unknown) =>
        this.failing.error(
          getLogger("audit"),
          { err: error },
          "a refused request could not be written to the audit log",
        ),
      )
      .finally(() => this.writes.delete(w));
    this.writes.add(w);
  }
}
