/** Health and readiness, and the dashboard's activity figures. */

import { Type, type Static } from "typebox";
import { IsoTime } from "./common.js";

const PLAIN_TEXT = Type.String({ description: "HMA's plain-text answer (when JSON is not asked for)" });

/** Liveness: JSON if asked for, else HMA's plain text. */
/** A plain-text answer (HMA's probes). */
export const PlainResponse = { content: { "text/plain": { schema: PLAIN_TEXT } } };

export const LiveResponse = {
  content: {
    "application/json": { schema: Type.Object({ status: Type.Literal("live") }) },
    "text/plain": { schema: PLAIN_TEXT },
  },
};

/** What a readiness answer says about the process's dependencies. */
const ReadinessFields = {
  database: Type.Union([Type.Literal("ok"), Type.Literal("unreachable")], {
    description: "Whether the database answered within 2 s",
  }),
  nats: Type.Union(
    [
      Type.Literal("off"),
      Type.Literal("connecting"),
      Type.Literal("connected"),
      Type.Literal("disconnected"),
      Type.Literal("closed"),
    ],
    { description: "The NATS connection for signal-change notices (off: not configured)" },
  ),
  signal_feed: Type.Union([Type.Literal("notices"), Type.Literal("polling"), Type.Literal("stale")], {
    description:
      "How signal changes reach the match indexes: NATS notices, polling the database (NATS away or not configured), or not at all (not ready)",
  }),
  index_sync_age_ms: Type.Number({ description: "Milliseconds since the indexes last synced from the database" }),
};
/** The readiness fields as one object (their TypeScript type; the routes spread the fields). */
export const ReadinessView = Type.Object(ReadinessFields);
export type ReadinessFields = Static<typeof ReadinessView>;

const ReadyView = Type.Object({
  status: Type.Literal("ready"),
  index: Type.Optional(
    Type.Record(Type.String(), Type.Number(), {
      description: "Signals in each match index, by type (only to a key whose role has coalition.read)",
    }),
  ),
  change_cursor: Type.Optional(Type.Number({ description: "Only to a key whose role has coalition.read" })),
  uptime_s: Type.Optional(Type.Number({ description: "Only to a key whose role has coalition.read" })),
  // The feed's state, like the counts, only to a key whose role has coalition.read.
  database: Type.Optional(ReadinessFields.database),
  nats: Type.Optional(ReadinessFields.nats),
  signal_feed: Type.Optional(ReadinessFields.signal_feed),
  index_sync_age_ms: Type.Optional(ReadinessFields.index_sync_age_ms),
});
export type ReadyView = Static<typeof ReadyView>;

/** Readiness: 200 once the match indexes are loaded. */
export const ReadyResponse = {
  content: { "application/json": { schema: ReadyView }, "text/plain": { schema: PLAIN_TEXT } },
};

/** Readiness: 503 while the match indexes load or are stale, or the database does not answer. */
export const LoadingResponse = {
  content: {
    "application/json": {
      schema: Type.Object({
        status: Type.Union([Type.Literal("loading"), Type.Literal("unavailable")]),
        message: Type.String({ description: "Every reason the process is not ready" }),
        ...ReadinessFields,
      }),
    },
    "text/plain": { schema: PLAIN_TEXT },
  },
};

/** Prometheus metrics, in its text format. */
export const MetricsResponse = {
  content: { "text/plain": { schema: Type.String({ description: "Prometheus text exposition format" }) } },
};

const Counts = { received: Type.Number(), matched: Type.Number(), actions: Type.Number() };

/** The organisation's activity per period, and matches by bank and label. */
export const ActivityView = Type.Object({
  from: IsoTime,
  to: IsoTime,
  interval: Type.String(),
  totals: Type.Object(Counts),
  periods: Type.Array(Type.Object({ start: IsoTime, end: IsoTime, ...Counts })),
  by_bank: Type.Array(Type.Object({ bank_id: Type.Number(), bank_name: Type.String(), matches: Type.Number() })),
  by_label: Type.Array(Type.Object({ kind: Type.String(), label: Type.String(), matches: Type.Number() })),
});
export type ActivityView = Static<typeof ActivityView>;
