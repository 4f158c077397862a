/**
 * Table shapes as Kysely sees them. Portable across SQLite and PostgreSQL: integers for
 * booleans, epoch milliseconds (bigint) for times, JSON as text.
 */

import type { Generated } from "kysely";

export interface OrgsTable {
  id: Generated<number>;
  name: string;
  kind: string;
  created_at: number;
}

export interface BanksTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  description: string;
  action_hint: string;
  negative: number;
  pdq_threshold: number;
  pdq_min_quality: number;
  text_min_similarity: number;
  created_at: number;
  updated_at: number;
  change_seq: number;
}

export interface SignalsTable {
  id: Generated<number>;
  bank_id: number;
  type: string;
  value: string;
  value_key: string;
  quality: number | null;
  labels: string;
  confidence: number;
  source: string;
  first_seen: number;
  last_seen: number;
  status: string;
  created_at: number;
  updated_at: number;
  change_seq: number;
}

export interface OpinionsTable {
  id: Generated<number>;
  signal_id: number;
  org_id: number;
  kind: string;
  note: string;
  created_at: number;
  updated_at: number;
}

export interface CountersTable {
  name: string;
  value: number;
}

export interface Database {
  orgs: OrgsTable;
  banks: BanksTable;
  signals: SignalsTable;
  opinions: OpinionsTable;
  counters: CountersTable;
}
