/**
 * A synthetic 90-day history for the demo, so the stance and takedown figures have
 * something to show right after `rasd serve --demo`: a platform's stream of short texts in
 * Arabic and English in which pro-ISIS content declines and anti-ISIS content grows (the
 * shape of the 2016 story), each classified by the shipped model as the pipeline would.
 * The platform removes what its people judged pro (each text's intended stance), not what
 * the model guessed — usually within minutes, a few after a removal order — and a labelling
 * sample is drawn and labelled by people (the intended stance), so the stance figures are
 * the labelled sample and the model together, and cover the demo's own truth.
 * Every text here was written for the demo; none is real.
 */

import type { StanceVerdict } from "../core/stance.js";
import { seededRandom } from "../kernels/quantify/index.js";
import { LabelService } from "../services/labels.js";
import type { HistoricItem, NewOutcome } from "../storage/ports/index.js";
import type { Services } from "./services.js";

const PRO = [
  "The soldiers of the caliphate remain and expand, join the caravan before it is too late",
  "Make hijrah to the land of the Islamic State, the mujahideen await their brothers",
  "Glory to the martyrs of the Islamic State who gave their lives for the caliphate",
  "باقية وتتمدد، دولة الخلافة الإسلامية منصورة بإذن الله",
  "انفروا خفافا وثقالا إلى أرض الخلافة يا شباب الأمة",
  "تقبل الله شهداء الدولة الإسلامية الأبطال في ساحات الجهاد",
];
const ANTI = [
  "Daesh are criminals who kill Muslims first, their so-called caliphate brought only ruin",
  "Do not believe ISIS propaganda, survivors tell what life under them really was",
  "Mosul is free of ISIS, families are returning home and rebuilding",
  "داعش عصابة إجرامية لا تمثل الإسلام ولا المسلمين",
  "الدواعش خوارج هذا العصر، قتلوا الأبرياء ودمروا المدن",
  "لا تصدقوا دعاية داعش، الخلافة المزعومة لم تجلب إلا الخراب",
];
const NEUTRAL = [
  "Great match tonight, what a goal in the last minute",
  "Traffic on the main bridge is heavy this morning, take the river road",
  "Happy Eid to everyone, may this year bring peace to your families",
  "مباراة رائعة الليلة والهدف في الدقيقة الأخيرة كان جميلا",
  "الطقس اليوم مشمس ودرجة الحرارة معتدلة في بغداد",
  "عيد مبارك وكل عام وأنتم بخير",
];

const DAY = 86_400_000;

/** The stance a demo text was written with (its truth), or undefined for any other text. */
export function intendedStance(text: string): "pro" | "anti" | "neutral" | undefined {
  for (const [stance, list] of [
    ["pro", PRO],
    ["anti", ANTI],
    ["neutral", NEUTRAL],
  ] as const)
    if (list.some((base) => text.startsWith(base))) return stance;
  return undefined;
}

/** Inserts the history as already processed items of `orgId`, with their classifications and outcomes. */
export async function loadDemoHistory(
  s: Services,
  orgId: number,
  personId: number,
  days = 90,
  perDay = 24,
): Promise<number> {
  const random = seededRandom(2016);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const now = Date.now();
  const start = Math.floor(now / DAY) * DAY - days * DAY;
  let n = 0;
  /** Each item's true (intended) stance: what the demo's reviewers label. */
  const truth = new Map<number, "pro" | "anti" | "neutral">();
  for (let d = 0; d < days; d++) {
    // Pro falls from about 20% to 4%; anti rises from 10% to 30%.
    const f = d / (days - 1);
    const pPro = 0.2 - 0.16 * f;
    const pAnti = 0.1 + 0.2 * f;
    const rows: { text: string; receivedAt: number; intended: string; country: string }[] = [];
    for (let i = 0; i < perDay; i++) {
      const u = random();
      const intended = u < pPro ? "pro" : u < pPro + pAnti ? "anti" : "neutral";
      const base = pick(intended === "pro" ? PRO : intended === "anti" ? ANTI : NEUTRAL);
      const text = `${base}${random() < 0.3 ? ` #${["news", "خبر", "today", "اليوم"][i % 4]}` : ""}`;
      const receivedAt = start + d * DAY + Math.floor(random() * DAY);
      rows.push({ text, receivedAt, intended, country: pick(["IQ", "SY", "GB", "FR", "TN", ""]) });
    }
    // The random draws happen in the order they always did, so the history is the same.
    const authors = rows.map(() => `user-${Math.floor(random() * 200)}`);
    const verdicts: StanceVerdict[] = [];
    for (const r of rows) verdicts.push(await s.classifier.classify(r.text));
    const items: HistoricItem[] = rows.map((r, i) => {
      const verdict = verdicts[i]!;
      return {
        orgId,
        personId,
        idempotencyKey: `demo-history-${d}-${i}`,
        kind: "text",
        contentId: `hist-${d}-${i}`,
        authorId: authors[i]!,
        postedAt: r.receivedAt - 60_000,
        text: r.text,
        platform: "Posts",
        country: r.country,
        receivedAt: r.receivedAt,
        hashedAt: r.receivedAt + 3,
        matchedAt: r.receivedAt + 5,
        classifiedAt: r.receivedAt + 6,
        actedAt: null,
        classification: {
          model: s.classifier.version,
          label: verdict.label,
          score: verdict.score,
          pPro: verdict.scores.pro,
          pAnti: verdict.scores.anti,
          pNeutral: verdict.scores.neutral,
          lang: verdict.lang,
          behaviour: verdict.behaviour ?? null,
          classifiedAt: r.receivedAt + 6,
        },
      };
    });
    // The platform removed most of what its reviewers judged pro, usually within minutes; a
    // few after a removal order from a referral unit.
    const history = items.map((item, i): HistoricItem => {
      if (rows[i]!.intended !== "pro" || random() < 0.15) return item;
      const received = item.receivedAt;
      const ordered = random() < 0.2;
      const outcome = (kind: string, at: number, extra: Partial<NewOutcome> = {}): Omit<NewOutcome, "itemId"> => ({
        orgId,
        personId,
        kind,
        at,
        basis: "",
        reason: "",
        authority: "",
        note: "",
        ...extra,
      });
      const removedAt = received + Math.floor((ordered ? 20 : 2) * 60_000 + random() * (ordered ? 50 : 90) * 60_000);
      const outcomes = [
        ...(ordered
          ? [outcome("removal_order", received + 10 * 60_000, { authority: "Internet Referral Unit (demo)" })]
          : []),
        outcome("removed", removedAt, { basis: ordered ? "removal_order" : "terms_of_service" }),
      ];
      return { ...item, actedAt: received + 8, outcomes };
    });
    const ids = await s.content.importHistory(history);
    ids.forEach((id, i) => truth.set(id, rows[i]!.intended as "pro" | "anti" | "neutral"));
    n += rows.length;
  }
  // The labelling queue: a stratified sample per month, labelled by the platform's reviewers.
  const labels = new LabelService(s.stores.labels);
  await labels.draw({ orgId, by: personId, from: start, to: now, interval: "month", perPeriod: 200, now });
  for (const task of await labels.list(orgId, "open", 10_000)) {
    const stance = truth.get(task.itemId);
    if (stance) await labels.label(orgId, task.id, stance, "demo: the text's intended stance", personId, now);
  }
  return n;
}
