/** Reading an exchange API's settings: known fields only, each checked, errors naming the field. */

import { RasdError } from "../../core/errors.js";
import type { JsonSchema } from "./api.js";

/** Refuses fields the schema does not name, and missing required ones. */
export function checkFields(json: Readonly<Record<string, unknown>>, schema: JsonSchema, what: string): void {
  for (const key of Object.keys(json))
    if (!(key in schema.properties))
      throw new RasdError(
        "invalid",
        `${what}: unknown field "${key}" (known: ${Object.keys(schema.properties).join(", ") || "none"})`,
      );
  for (const key of schema.required)
    if (json[key] === undefined || json[key] === null || json[key] === "")
      throw new RasdError("invalid", `${what}.${key}: required`);
}

export function optionalPositiveInt(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1)
    throw new RasdError("invalid", `${field}: must be a positive integer`);
  return n;
}
