/**
 * What a valid signal value is, per type, and its canonical form — the form stored and
 * matched on. Each type's rules live in its plug-in (`types/`); this module keeps the
 * entry points other code imports.
 */

export { canonicalSignalValue, type CanonicalValue } from "./registry.js";
export { canonicalVpdq, vpdqFrames } from "./types/vpdq.js";
