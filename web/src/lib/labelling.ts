/**
 * The labelling screen's stances with their keys, and what the dashboard says of a stance
 * figure's validation. The words are in the labels and dashboard catalogs. Tested in
 * test/web/lib.test.ts.
 */

import { t } from "./i18n.js";

export const LABEL_STANCES = ["pro", "anti", "neutral", "cant_tell"] as const;
export type LabelStance = (typeof LABEL_STANCES)[number];

export const STANCE_NAMES: Record<LabelStance, { key: string }> = {
  pro: { key: "1" },
  anti: { key: "2" },
  neutral: { key: "3" },
  cant_tell: { key: "4" },
};

/** The stance for a key press (1–4), if any. */
export function stanceForKey(key: string): LabelStance | undefined {
  return LABEL_STANCES.find((s) => STANCE_NAMES[s].key === key);
}

/** What a period's figure says of its validation: null when every stratum has labels. */
export function validationNote(p: {
  validated: boolean;
  items: number;
  modelOnlyItems: number;
  labelled: number;
}): string | null {
  if (p.items === 0 || p.validated) return null;
  if (p.labelled === 0) return t("dashboard:stance.modelOnly");
  return t("dashboard:stance.partlyModelOnly", { modelOnly: p.modelOnlyItems, items: p.items });
}
