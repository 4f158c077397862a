/** The API's JSON shapes, as far as the web app reads them. */

export interface Me {
  person: { id: number; name: string; role: string };
  org: { id: number; name: string };
  permissions: string[];
}

export interface Session {
  token: string;
  expiresAt: string;
  me: Me;
}

export interface Labels {
  entity: string[];
  behaviour: string[];
  language: string[];
}

export interface Bank {
  id: number;
  org_id: number;
  name: string;
  description: string;
  tlp: string;
  negative: boolean;
  action_hint: string;
}

export interface SignalView {
  id: number;
  bank_id: number;
  type: string;
  value: string;
  labels: Labels;
  confidence: number;
  source: string;
  status: string;
  first_seen: string;
  last_seen: string;
  created_at: string;
  bank_name?: string;
  distance?: number;
  similarity?: number;
}

export interface ReviewEntry {
  id: number;
  item_id: number;
  status: string;
  priority?: number;
  decision: string | null;
  created_at: string;
}

export interface ReviewDetail {
  review: ReviewEntry & { labels: Partial<Labels>; reasons: string };
  item: {
    id: number;
    kind: "image" | "video" | "url" | "text";
    content_id: string;
    author_id: string;
    text?: string;
    url?: string;
    media_type?: string;
    status: string;
    timestamps: { received_at: string | null };
  };
  matched_signals: {
    signal: SignalView;
    bank: { id: number; name: string; org_id: number; tlp: string; negative: boolean };
    distance?: number;
    similarity?: number;
    suppressed: boolean;
  }[];
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}
