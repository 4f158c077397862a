/**
 * The pieces shared by exact types (file hashes, URLs, domains): an index from canonical
 * value to signal ids, and turning the ids found into matches among the banks in scope.
 */

import type { IndexedSignal } from "../../core/model.js";
import { RasdError } from "../../core/errors.js";
import type { ExactMatch, ExactType, MatchScore } from "./match.js";
import { clip, type IndexKind, type MatchScope, type SignalIndex, type SignalTypeDef } from "./signal-type.js";

/** Canonical value → ids of the signals with that value. */
export class ValueIndex implements SignalIndex {
  private readonly map = new Map<string, number[]>();
  add(value: string, id: number): void {
    const ids = this.map.get(value);
    if (ids) ids.push(id);
    else this.map.set(value, [id]);
  }
  delete(value: string, id: number): void {
    const ids = this.map.get(value);
    if (!ids) return;
    const at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    if (ids.length === 0) this.map.delete(value);
  }
  get(value: string): readonly number[] {
    return this.map.get(value) ?? [];
  }
  get size(): number {
    return this.map.size;
  }
}

/** A fresh kind of value index (one per exact type: their values must not meet). */
export function valueIndexKind(name: string): IndexKind<ValueIndex> {
  return { name, create: () => new ValueIndex() };
}

/** The matches of signal `ids` in the banks in scope. */
export function exactMatches(
  ids: readonly number[],
  type: ExactType,
  matched: string,
  scope: MatchScope,
): ExactMatch[] {
  const out: ExactMatch[] = [];
  for (const id of ids) {
    const bankId = scope.bankOf(id);
    if (bankId === undefined || (scope.only && !scope.only.has(bankId)) || !scope.banks.has(bankId)) continue;
    out.push({ signalId: id, bankId, type, matched });
  }
  return out;
}

const HEX = /^[0-9a-f]+$/;

/**
 * A plug-in for a lower-case hex digest of `digits` digits (MD5, SHA-256, a video's MD5):
 * `label` names it in messages ("an MD5", "a video MD5").
 */
export function hexDigestType(
  type: ExactType,
  digits: number,
  label: string,
  extra: Pick<SignalTypeDef<ValueIndex, ExactMatch>, "media" | "hma">,
): SignalTypeDef<ValueIndex, ExactMatch> {
  const index = valueIndexKind(type);
  return {
    type,
    hasQuality: false,
    index,
    canonical(text) {
      const value = text.toLowerCase();
      if (value.length !== digits || !HEX.test(value))
        throw new RasdError("invalid", `not ${label} (${digits} hex digits): "${clip(text)}"`);
      return { value };
    },
    add: (ix, s: IndexedSignal) => ix.add(s.value, s.id),
    remove: (ix, s: IndexedSignal) => ix.delete(s.value, s.id),
    match(value, scope) {
      const v = value.toLowerCase();
      return exactMatches(scope.index(index).get(v), type, v, scope);
    },
    lookupValue(raw) {
      if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(raw))
        throw new RasdError("invalid", `value: a ${type} is ${digits} hexadecimal digits`);
      return raw;
    },
    score: exactScore,
    scoreText: (m) => `matched=${m.matched}`,
    ...extra,
  };
}

export function exactScore(m: ExactMatch): MatchScore {
  return { matched: m.matched };
}
