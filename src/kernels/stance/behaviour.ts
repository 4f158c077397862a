/**
 * Behaviour categories of pro-ISIS texts by lexicon rules. No labelled data exists for these
 * categories, so they are not learnt: each category is a short list of folded word stems
 * (Arabic after `foldForStance`, so ة→ه, أ→ا, ى→ي; English lower-case), matched at word starts.
 * The first category, in the order below, with a hit wins; none is reported without a hit.
 * This is a documented rule set, not a measured classifier.
 */

import type { StanceBehaviour } from "./labels.js";
import { foldForStance } from "./fold.js";

/** Stems per category, in priority order (instruction and incitement first: the most urgent). */
const BEHAVIOUR_LEXICON: readonly (readonly [StanceBehaviour, readonly string[]])[] = [
  [
    "instruction",
    [
      "how to make",
      "how to build",
      "bomb making",
      "explosive belt",
      "detonator",
      "ammonium",
      "manual",
      "تصنيع",
      "طريقه صنع",
      "كيفيه صنع",
      "صناعه المتفجرات",
      "المتفجرات",
      "حزام ناسف",
      "حزاما ناسفا",
      "صاعق",
      "دوره تدريبيه",
      "الامن الالكتروني",
    ],
  ],
  [
    "incitement",
    [
      "kill them",
      "kill the",
      "slaughter",
      "behead",
      "attack them",
      "lone wolf",
      "lone wolves",
      "strike them",
      "اقتلوا",
      "فاقتلوا",
      "اقتلوهم",
      "قاتلوا",
      "اذبحوا",
      "ذبح",
      "اغتالوا",
      "اضربوا",
      "الذئاب المنفرده",
      "اثخنوا",
      "النكايه",
      "اللهم اجعله في نحور",
      "شدوا عليهم",
    ],
  ],
  [
    "recruitment",
    [
      "make hijrah",
      "hijrah",
      "hijra to",
      "join the caliphate",
      "join the islamic state",
      "come to sham",
      "pledge allegiance",
      "bayah",
      "baya'ah",
      "انفروا",
      "انفر",
      "هاجروا",
      "الهجره الي",
      "الهجره لارض",
      "انضموا",
      "الحقوا بركب",
      "البيعه",
      "بايعوا",
      "نبايع",
      "ارض الخلافه",
    ],
  ],
  [
    "sectarian_hate",
    [
      "rafidah",
      "rafidi",
      "rawafidh",
      "nusayri",
      "safavid",
      "majoos",
      "الرافضه",
      "الروافض",
      "رافضي",
      "الرافضي",
      "النصيريه",
      "نصيري",
      "الصفوي",
      "صفوي",
      "المجوس",
      "مجوس",
      "الحوثه",
      "الانجاس",
    ],
  ],
  [
    "glorification",
    [
      "martyr",
      "shaheed",
      "shahid",
      "istishhadi",
      "inghimasi",
      "lions of",
      "soldiers of the khilafah",
      "soldiers of the caliphate",
      "mujahideen",
      "mujahidin",
      "باقيه",
      "استشهادي",
      "استشهاديه",
      "انغماسي",
      "شهيد",
      "شهداء",
      "تقبله الله",
      "نحسبه",
      "نحسبهم",
      "اسود الخلافه",
      "جنود الخلافه",
      "المجاهدين",
      "غزوه",
      "فتح",
      "بشري",
    ],
  ],
];

/**
 * The behaviour category of a (pro) text, or undefined when no rule fires.
 * @example behaviourOf("انفروا خفافا وثقالا إلى أرض الخلافة") // "recruitment"
 */
export function behaviourOf(text: string): StanceBehaviour | undefined {
  const folded = ` ${foldForStance(text)} `;
  for (const [category, stems] of BEHAVIOUR_LEXICON) {
    for (const stem of stems) {
      if (folded.includes(` ${stem}`) || folded.includes(` و${stem}`) || folded.includes(` ف${stem}`)) {
        return category;
      }
    }
  }
  return undefined;
}
