/**
 * Opinions as they leave this instance (decision 0042): TAXII collections, exported files. Each
 * goes with its signal, so only where the signal may go; it names its organisation only when the
 * instance's policy (`RASD_OPINION_ORGS`) is `named`. An opinion's key is org-free (`opinion <n>`),
 * so an anonymous opinion stays one opinion across versions without saying whose it is.
 */

import type { Signal } from "../core/model.js";
import type { OpinionRecord } from "../kernels/stix/opinion.js";

export type { OpinionRecord };
import type { SignalStore } from "../storage/store.js";

export interface OpinionSendOptions {
  /** Name the organisations (`RASD_OPINION_ORGS=named`). */
  readonly named: boolean;
  /** Retracted opinions as tombstones (TAXII, `export --include-retracted`). */
  readonly includeRetracted: boolean;
  /** Opinions from elsewhere too (files: a bank's whole record; never TAXII or the feed). */
  readonly includeForeign: boolean;
}

/** The opinions of `signals` to send, by signal id. */
export async function opinionRecordsOf(
  store: SignalStore,
  signals: readonly Signal[],
  options: OpinionSendOptions,
): Promise<Map<number, OpinionRecord[]>> {
  const ids = signals.map((s) => s.id);
  const out = new Map<number, OpinionRecord[]>();
  if (ids.length === 0) return out;
  const add = (signalId: number, r: OpinionRecord): void => {
    const list = out.get(signalId) ?? [];
    list.push(r);
    out.set(signalId, list);
  };
  const [own, orgs] = await Promise.all([
    store.listOpinionsOf(ids, { includeRetracted: options.includeRetracted }),
    options.named ? store.listOrgs() : Promise.resolve([]),
  ]);
  const names = new Map(orgs.map((o) => [o.id, o.name]));
  for (const o of own)
    add(o.signalId, {
      key: `opinion ${o.id ?? `${o.signalId}-${o.orgId}`}`,
      orgName: options.named ? (names.get(o.orgId) ?? null) : null,
      kind: o.kind,
      note: o.note,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
      retracted: o.retractedAt !== undefined,
    });
  if (options.includeForeign)
    for (const o of await store.listForeignOpinionsOf(ids))
      add(o.signalId, {
        key: `${o.source}/${o.originKey}`,
        orgName: options.named ? o.orgName : null,
        kind: o.kind,
        note: o.note,
        createdAt: o.createdAt,
        updatedAt: o.updatedAt,
        retracted: false,
      });
  return out;
}
