/** The dashboard's read port: an organisation's activity in a range, and bank search. */

import type { Signal } from "../../core/model.js";

export interface ActivityRows {
  readonly items: { receivedAt: number; matchedAt: number | null; matches: string }[];
  readonly actions: { createdAt: number; type: string }[];
}

export interface SignalQuery {
  readonly bankIds: readonly number[];
  /** A value, or part of one (case-insensitive); "" for any. */
  readonly q: string;
  readonly type?: string;
  readonly includeRetracted?: boolean;
  readonly limit: number;
}

export interface DashboardReads {
  /** Items received and actions taken by `orgId` in [from, to), at most `cap` of each. */
  activity(orgId: number, from: number, to: number, cap?: number): Promise<ActivityRows>;
  /** Signals of the given banks whose value equals or contains `q`, newest first. */
  searchSignals(query: SignalQuery): Promise<Signal[]>;
}
