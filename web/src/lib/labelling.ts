/**
 * The labelling screen's vocabulary in English and Arabic, and what the dashboard says of a
 * stance figure's validation. Pure: tested in test/web/lib.test.ts.
 */

export const LABEL_STANCES = ["pro", "anti", "neutral", "cant_tell"] as const;
export type LabelStance = (typeof LABEL_STANCES)[number];

export const STANCE_NAMES: Record<LabelStance, { en: string; ar: string; key: string }> = {
  pro: { en: "Supports ISIS", ar: "مؤيد لداعش", key: "1" },
  anti: { en: "Opposes ISIS", ar: "معارض لداعش", key: "2" },
  neutral: { en: "Neither (news, other topics)", ar: "محايد (أخبار أو مواضيع أخرى)", key: "3" },
  cant_tell: { en: "Can't tell", ar: "لا يمكن التحديد", key: "4" },
};

export const LABEL_SCREEN = {
  title: { en: "Label stance", ar: "تصنيف الموقف" },
  intro: {
    en: "Items drawn at random from your platform's classified content. Say what the text itself expresses; the model's guess is hidden so it does not sway you. Your labels make the prevalence figures valid whatever the model's errors.",
    ar: "عناصر مختارة عشوائيا من المحتوى المصنف لمنصتك. حدد ما يعبر عنه النص نفسه؛ تخمين النموذج مخفي حتى لا يؤثر عليك. تصنيفاتك تجعل أرقام الانتشار صحيحة مهما كانت أخطاء النموذج.",
  },
  empty: { en: "Nothing to label.", ar: "لا شيء للتصنيف." },
  draw: { en: "Draw this month's sample", ar: "اسحب عينة هذا الشهر" },
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
  if (p.labelled === 0) return "model only, unvalidated: no labels";
  return `partly model only, unvalidated: ${p.modelOnlyItems} of ${p.items} items in strata without labels`;
}
