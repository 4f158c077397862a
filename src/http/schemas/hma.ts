/**
 * The bodies of the HMA-compatible routes (routes/hma.ts), as Meta's HMA 2.0 writes them.
 * Several are open-ended — lookups keyed by bank name, hashes and index entries keyed by
 * signal type — so they are records, not objects with listed properties: the serializer
 * drops what a schema does not list, and a client must see exactly what HMA would send.
 */

import { Type, type Static } from "typebox";
import { Nullable } from "./common.js";

/** HMA's BankConfig. */
export const HmaBankView = Type.Object({
  matching_enabled_ratio: Type.Number({ description: "Share of lookups the bank takes part in, 0..1" }),
  name: Type.String(),
});
export type HmaBankView = Static<typeof HmaBankView>;

/** Signal type → hash (or canonical signal value). */
export const HmaHashes = Type.Record(Type.String(), Type.String(), {
  description: 'Signal type → hash, e.g. {"pdq": "<64 hex>"}',
});
export type HmaHashes = Static<typeof HmaHashes>;

/** One match in a lookup: the content id and its distance as HMA writes it (a string). */
export const HmaMatchView = Type.Object({
  bank_content_id: Type.Integer(),
  distance: Type.String({ description: 'e.g. "9" for pdq, "0.87" (similarity) for text' }),
});
export type HmaMatchView = Static<typeof HmaMatchView>;

/** A lookup of one signal: bank name → its matches. */
export const HmaLookupResult = Type.Record(Type.String(), Type.Array(HmaMatchView), {
  description: "Bank name → matches",
});
export type HmaLookupResult = Static<typeof HmaLookupResult>;

/** A lookup of media: signal type → bank name → matches. */
export const HmaLookupByType = Type.Record(Type.String(), HmaLookupResult, {
  description: "Signal type → bank name → matches",
});
export type HmaLookupByType = Static<typeof HmaLookupByType>;

/** GET /m/lookup: one signal's lookup, or media's per signal type (without `signal_type`). */
export const HmaLookupAnswer = Type.Union([HmaLookupResult, HmaLookupByType]);

/** GET /m/raw_lookup: content ids, or ids with distances when `include_distance` is true. */
export const HmaRawLookupView = Type.Object({
  matches: Type.Array(Type.Union([Type.Integer(), HmaMatchView])),
});
export type HmaRawLookupView = Static<typeof HmaRawLookupView>;

/** POST /m/compare: signal type → [match, details such as {"distance": 9}]. */
export const HmaCompareView = Type.Record(
  Type.String(),
  Type.Tuple([Type.Boolean(), Type.Record(Type.String(), Type.Number())]),
  { description: 'Signal type → [match, details], e.g. {"pdq": [true, {"distance": 9}]}' },
);
export type HmaCompareView = Static<typeof HmaCompareView>;

/** GET /m/index/status: signal type → the state of its index. */
export const HmaIndexStatusView = Type.Record(
  Type.String(),
  Type.Object({
    built_to: Type.Integer({ description: "Unix time the index is built to (-1: not loaded)" }),
    present: Type.Boolean(),
    size: Type.Integer(),
  }),
);
export type HmaIndexStatusView = Static<typeof HmaIndexStatusView>;

/** Content added by its signals or media: the first signal's id, and the signals added. */
export const HmaAddedContentView = Type.Object({ id: Type.Integer(), signals: HmaHashes });
export type HmaAddedContentView = Static<typeof HmaAddedContentView>;

/** HMA's BankedContentMetadata: what the caller gave, and `collab` (exchange provenance; rasd's is null). */
export const HmaMetadataView = Type.Object({
  collab: Nullable(Type.Record(Type.String(), Type.Array(Type.String()))),
  content_id: Nullable(Type.String()),
  content_uri: Nullable(Type.String()),
  json: Nullable(Type.Object({}, { additionalProperties: true })),
});
export type HmaMetadataView = Static<typeof HmaMetadataView>;

/**
 * GET /c/bank/<name>/content/<id>, keys in jsonify's (sorted) order. `original_media_uri` is
 * always there (null), but declared optional: the serializer writes required properties
 * before optional ones, which would move it ahead of `note`.
 */
export const HmaContentView = Type.Object({
  bank: HmaBankView,
  disable_until_ts: Type.Integer({
    description: "1: enabled; 0: disabled; a later Unix time: disabled until then (on the database's clock)",
  }),
  id: Type.Integer(),
  metadata: Type.Optional(HmaMetadataView),
  note: Type.Optional(Type.String()),
  original_media_uri: Type.Optional(Type.Null({ description: "Always null: rasd keeps no media" })),
  signals: Type.Optional(HmaHashes),
});
export type HmaContentView = Static<typeof HmaContentView>;

/** PUT /c/bank/<name>/content/<id>: HMA's BankContentConfig. */
export const HmaUpdatedContentView = Type.Object({
  bank: HmaBankView,
  collab_metadata: Type.Object({}, { additionalProperties: true }),
  disable_until_ts: Type.Integer(),
  id: Type.Integer(),
  note: Nullable(Type.String()),
  original_media_uri: Type.Null(),
  user_metadata: Nullable(Type.Object({}, { additionalProperties: true })),
});
export type HmaUpdatedContentView = Static<typeof HmaUpdatedContentView>;

/** DELETE /c/bank/<name>/content/<id>: 1 when the content was deleted, 0 when there was none. */
export const HmaDeletedView = Type.Object({ deleted: Type.Integer() });
export type HmaDeletedView = Static<typeof HmaDeletedView>;

/** One of GET /c/signal_type's entries. */
export const HmaSignalTypeView = Type.Object({ enabled_ratio: Type.Number(), name: Type.String() });
export type HmaSignalTypeView = Static<typeof HmaSignalTypeView>;

/** One of GET /c/content_type's entries. */
export const HmaContentTypeView = Type.Object({ enabled: Type.Boolean(), name: Type.String() });
export type HmaContentTypeView = Static<typeof HmaContentTypeView>;

/** A confirmation, as HMA writes it: {"message": "Done"}. */
export const HmaMessageView = Type.Object({ message: Type.String() });
export type HmaMessageView = Static<typeof HmaMessageView>;
