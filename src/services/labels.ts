/**
 * The labelling queue: a random, stratified sample of a member's classified items — per
 * period, and within it per platform, language, predicted label and model — drawn for its
 * reviewers to label their stance (pro, anti, neutral, can't tell). The labels make the
 * prevalence figures valid whatever the classifier's errors (services/measurement.ts).
 *
 * A period's sample should be drawn once the period has closed: items that arrive after a
 * draw can only enter by drawing again (which tops each stratum up to its new allocation).
 * Each member labels its own items only (content stays with its member); the coalition's
 * figures use every member's labels.
 */

import { periodsBetween, type Interval } from "../core/periods.js";
import { RasdError } from "../core/errors.js";
import { allocateLabels, seedFrom } from "../kernels/quantify/index.js";
import type { LabelStance, LabelStore, LabelTask } from "../storage/ports/index.js";

export interface DrawRequest {
  readonly orgId: number;
  readonly by: number | null;
  readonly from: number;
  readonly to: number;
  readonly interval: Exclude<Interval, "hour">;
  /** Labels per period (the sample's size), spread over the period's strata. */
  readonly perPeriod: number;
  readonly platform?: string;
  readonly now: number;
}

export interface DrawnPeriod {
  readonly start: string;
  readonly end: string;
  readonly items: number;
  readonly strata: number;
  /** In the queue for this period after the draw. */
  readonly drawn: number;
  /** Of them, added by this draw. */
  readonly added: number;
}

export const MAX_PER_PERIOD = 5000;

const iso = (ms: number) => new Date(ms).toISOString();

export class LabelService {
  constructor(private readonly labels: LabelStore) {}

  /** Draws each period's sample (topping up earlier draws); deterministic for the same items. */
  async draw(r: DrawRequest): Promise<DrawnPeriod[]> {
    if (!(r.from < r.to)) throw new RasdError("invalid", "from must be before to");
    if (!(Number.isInteger(r.perPeriod) && r.perPeriod >= 1 && r.perPeriod <= MAX_PER_PERIOD))
      throw new RasdError("invalid", `labels per period must be a whole number from 1 to ${MAX_PER_PERIOD}`);
    const periods = periodsBetween(r.from, r.to, r.interval, 400);
    if (!periods) throw new RasdError("invalid", `too many ${r.interval} periods between from and to (at most 400)`);
    const out: DrawnPeriod[] = [];
    for (const p of periods) {
      const scope = { from: p.start, to: p.end, orgId: r.orgId, ...(r.platform ? { platform: r.platform } : {}) };
      const byStratum = new Map<
        string,
        { platform: string; lang: string; label: string; model: string; items: number; drawn: number }
      >();
      for (const s of await this.labels.strata(scope)) {
        const k = [s.platform, s.lang, s.label, s.model].join("\u0000");
        const t = byStratum.get(k) ?? {
          platform: s.platform,
          lang: s.lang,
          label: s.label,
          model: s.model,
          items: 0,
          drawn: 0,
        };
        t.items += s.items;
        t.drawn += s.drawn;
        byStratum.set(k, t);
      }
      const strata = [...byStratum.values()];
      const targets = allocateLabels(
        strata.map((s) => s.items),
        r.perPeriod,
      );
      let added = 0;
      let drawn = 0;
      for (let i = 0; i < strata.length; i++) {
        const s = strata[i]!;
        const target = Math.max(targets[i]!, 0);
        const n = await this.labels.draw(scope, s, target, seedFrom(`labels|${r.orgId}|${r.interval}|${p.start}`), {
          periodStart: p.start,
          interval: r.interval,
          drawnAt: r.now,
          drawnBy: r.by,
        });
        added += n;
        drawn += s.drawn + n;
      }
      out.push({
        start: iso(p.start),
        end: iso(p.end),
        items: strata.reduce((a, s) => a + s.items, 0),
        strata: strata.length,
        drawn,
        added,
      });
    }
    return out;
  }

  list(orgId: number, status: "open" | "labelled", limit: number): Promise<LabelTask[]> {
    return this.labels.listQueue(orgId, status, limit);
  }

  /** Labels (or relabels) one of the member's queue entries. */
  async label(orgId: number, id: number, stance: LabelStance, note: string, by: number, at: number): Promise<void> {
    const entry = await this.labels.getEntry(id);
    if (!entry || entry.orgId !== orgId) throw new RasdError("not_found", `no labelling task ${id}`);
    if (note.length > 2000) throw new RasdError("invalid", "note: at most 2000 characters");
    await this.labels.setLabel(id, { stance, note, labelledBy: by, labelledAt: at });
  }
}
