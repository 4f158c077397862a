/**
 * Building blocks of the API's schemas: the error body every rasd route answers with, times,
 * and two helpers that keep a request schema's JSON exactly as it was written before TypeBox
 * (`{type: "string", enum}` rather than a union of literals) so validation messages stay the same.
 */

import { Type, type Static, type TSchema, type TSchemaOptions } from "typebox";

/** `{type: "string", enum: [...]}`, typed as the union of its values. */
export function StringEnum<T extends string>(values: readonly T[], options: TSchemaOptions = {}) {
  return Type.Unsafe<T>({ type: "string", enum: [...values], ...options });
}

/** A field that may be a string (an ISO 8601 time) or an integer (epoch milliseconds). */
export function StringOrInteger(options: TSchemaOptions = {}) {
  return Type.Unsafe<string | number>({ type: ["string", "integer"], ...options });
}

/**
 * A string, number, integer or boolean schema that also allows null: `{type: ["string", "null"]}`,
 * which the response serializer handles directly (an `anyOf` would be tried branch by branch).
 */
export function Nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, "null"] });
}

/** An ISO 8601 time (UTC), or null when it has not happened. */
export const IsoTime = Nullable(Type.String({ description: "ISO 8601 time" }));

/** What every rasd route answers on failure (the HMA-compatible routes answer `{message}`). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable machine-readable code, e.g. invalid, not_found, auth.forbidden" }),
      message: Type.String(),
    }),
  },
  { description: "An error" },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** What the HMA-compatible routes answer on failure, as HMA does. */
export const HmaErrorBody = Type.Object({ message: Type.String() }, { description: "An error, as HMA writes it" });
export type HmaErrorBody = Static<typeof HmaErrorBody>;

/** What the TAXII 2.1 routes answer on failure: TAXII's error message resource (§3.6.1). */
export const TaxiiErrorBody = Type.Object(
  {
    title: Type.String({ description: "The HTTP status's reason phrase" }),
    description: Type.String(),
    error_code: Type.String({ description: "rasd's machine-readable code, e.g. not_found" }),
    http_status: Type.String(),
  },
  { description: "An error, as TAXII 2.1 writes it (application/taxii+json;version=2.1)" },
);

/** The body of a 204: none. */
export const NoContent = Type.Null({ description: "No content" });

/** Labels on a signal. */
export const LabelsView = Type.Object({
  entity: Type.Immutable(Type.Array(Type.String())),
  behaviour: Type.Immutable(Type.Array(Type.String())),
  language: Type.Immutable(Type.Array(Type.String())),
});
export type LabelsView = Static<typeof LabelsView>;

/** Percentiles of a list of durations (milliseconds), null when the list is empty. */
export const PercentilesView = Type.Object({
  count: Type.Number(),
  p50: Nullable(Type.Number()),
  p90: Nullable(Type.Number()),
  p99: Nullable(Type.Number()),
  max: Nullable(Type.Number()),
});
export type PercentilesView = Static<typeof PercentilesView>;
