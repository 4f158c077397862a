/** STIX 2.1 bundles: what rasd writes around its Indicators, and reading one back (pure). */

import { randomUUID } from "node:crypto";
import type { Tlp } from "../../core/model.js";
import { rasdIdentity, signalExtensionDefinition, type StixObject } from "./indicator.js";
import { tlpMarkingDefinition } from "./tlp.js";

/**
 * A bundle of `objects`, preceded by what they refer to: rasd's identity, the definition of
 * rasd's extension, the TLP 2.0 marking definitions used, and the given identities.
 */
export function stixBundle(
  indicators: readonly StixObject[],
  identities: readonly StixObject[],
  markings: Iterable<Tlp>,
): StixObject {
  return {
    type: "bundle",
    id: `bundle--${randomUUID()}`,
    objects: [
      rasdIdentity(),
      signalExtensionDefinition(),
      ...[...new Set(markings)].map(tlpMarkingDefinition),
      ...identities,
      ...indicators,
    ],
  };
}

/** The objects of a bundle (JSON text), or why it is not one. */
export function bundleObjects(
  text: string,
): { ok: true; objects: Record<string, unknown>[] } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { type?: unknown }).type !== "bundle")
    return { ok: false, message: 'not a STIX bundle (its "type" must be "bundle")' };
  const objects = (parsed as { objects?: unknown }).objects;
  if (objects === undefined) return { ok: true, objects: [] };
  if (!Array.isArray(objects)) return { ok: false, message: 'a bundle\'s "objects" must be a list' };
  return {
    ok: true,
    objects: objects.filter((o): o is Record<string, unknown> => typeof o === "object" && o !== null),
  };
}
