/**
 * Read-only queries behind the web app's dashboard and bank search: an organisation's
 * items and actions in a time range, and signals in given banks by value or type.
 */

import { sql, type Kysely } from "kysely";
import { notInDrill } from "./incident-store.js";
import type { Signal } from "../core/model.js";
import { toSignal } from "./kysely-store.js";
import type { ActivityRows, DashboardReads, SignalQuery } from "./ports/dashboard.js";
import type { Database } from "./schema.js";

export type { ActivityRows, SignalQuery } from "./ports/dashboard.js";

export class KyselyDashboardReads implements DashboardReads {
  constructor(private readonly db: Kysely<Database>) {}

  /** Items received and actions taken by `orgId` in [from, to), at most `cap` of each. */
  async activity(orgId: number, from: number, to: number, cap = 200_000): Promise<ActivityRows> {
    const items = await this.db
      .selectFrom("content_items")
      .select(["received_at", "matched_at", "matches"])
      .where("org_id", "=", orgId)
      .where("received_at", ">=", from)
      .where("received_at", "<", to)
      // Items matched in a drill are no real figure's (docs/crisis.md).
      .where(notInDrill("content_items.id"))
      .orderBy("id", "desc")
      .limit(cap)
      .execute();
    const actions = await this.db
      .selectFrom("actions")
      .select(["created_at", "type"])
      .where("org_id", "=", orgId)
      // Items matched in a drill are no real figure's (docs/crisis.md).
      .where(notInDrill("actions.item_id"))
      .where("created_at", ">=", from)
      .where("created_at", "<", to)
      .orderBy("id", "desc")
      .limit(cap)
      .execute();
    return {
      items: items.map((r) => ({
        receivedAt: Number(r.received_at),
        matchedAt: r.matched_at === null ? null : Number(r.matched_at),
        matches: r.matches,
      })),
      actions: actions.map((r) => ({ createdAt: Number(r.created_at), type: r.type })),
    };
  }

  /** Signals of the given banks whose value equals or contains `q`, newest first. */
  async searchSignals(query: SignalQuery): Promise<Signal[]> {
    if (query.bankIds.length === 0) return [];
    let q = this.db
      .selectFrom("signals")
      .selectAll()
      .where("bank_id", "in", [...query.bankIds])
      .orderBy("id", "desc")
      .limit(query.limit);
    if (!query.includeRetracted) q = q.where("status", "=", "active");
    if (query.type) q = q.where("type", "=", query.type);
    if (query.q !== "") {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(value) like ${pattern} escape '\\'`);
    }
    return (await q.execute()).map(toSignal);
  }
}
