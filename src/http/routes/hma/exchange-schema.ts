/**
 * HMA's exchange-API schema shape (OpenMediaMatch/utils/exchange_schema.py): a list of field
 * descriptors {name, type, required, default, help, choices}, built from rasd's JSON Schema of an
 * API's api_json or credential_json. HMA's kinds: "string", "number" (its int and float),
 * "boolean", "enum" (with choices), "list_of_<kind>"; a rasd type HMA has no kind for is "string",
 * as HMA's own fallback.
 */

import type { JsonSchema } from "../../../services/exchanges/api.js";

export interface HmaFieldDescriptor {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: unknown;
  readonly help: string;
  readonly choices: readonly unknown[] | null;
}

interface PropertySchema {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly items?: PropertySchema;
}

function kind(p: PropertySchema): string {
  if (p.enum) return "enum";
  switch (p.type) {
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "array":
      return `list_of_${p.items ? kind(p.items) : "string"}`;
    default:
      return "string";
  }
}

/** HMA's descriptors of a JSON Schema's properties, in the schema's order. */
export function hmaFieldDescriptors(schema: JsonSchema): HmaFieldDescriptor[] {
  return Object.entries(schema.properties as Record<string, PropertySchema>).map(([name, p]) => ({
    name,
    type: kind(p),
    required: schema.required.includes(name),
    default: p.default ?? null,
    help: p.description ?? "",
    choices: p.enum ?? null,
  }));
}

/** rasd's JSON Schema with HMA's `fields` beside it, so both kinds of client read the same answer. */
export function withHmaFields(schema: JsonSchema): JsonSchema & { fields: HmaFieldDescriptor[] } {
  return { ...schema, fields: hmaFieldDescriptors(schema) };
}
