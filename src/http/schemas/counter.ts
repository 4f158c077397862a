/** Counter-messaging's shapes (issue 20): library items, keywords, redirect answers, events and campaign figures. */

import { Type, type Static } from "typebox";
import { IsoTime, Nullable } from "./common.js";

export const CounterItemView = Type.Object({
  id: Type.Integer(),
  orgId: Type.Integer({ description: "The owner organisation" }),
  kind: Type.String({ description: "text, image, video or url" }),
  title: Type.String(),
  body: Type.String(),
  url: Nullable(Type.String()),
  mediaHash: Nullable(Type.String()),
  narratives: Type.Array(Type.String()),
  audience: Type.String(),
  lang: Type.String({ description: "ar or en" }),
  tlp: Type.String(),
  status: Type.String({ description: "draft, approved or retired" }),
  createdAt: Type.String(),
  approvedAt: IsoTime,
  retiredAt: IsoTime,
});
export type CounterItemView = Static<typeof CounterItemView>;

export const CounterItemList = Type.Object({ items: Type.Array(CounterItemView) });
export type CounterItemList = Static<typeof CounterItemList>;

export const CounterKeywordView = Type.Object({
  id: Type.Integer(),
  orgId: Type.Integer(),
  narrative: Type.String(),
  phrase: Type.String(),
  normalized: Type.String({
    description:
      "The phrase as it is matched: Arabic-normalised (alef forms, taa marbuta, diacritics, tatweel), lower case",
  }),
  createdAt: Type.String(),
});
export type CounterKeywordView = Static<typeof CounterKeywordView>;

export const CounterKeywordList = Type.Object({ keywords: Type.Array(CounterKeywordView) });
export type CounterKeywordList = Static<typeof CounterKeywordList>;

export const RedirectView = Type.Object({
  lang: Nullable(Type.String({ description: "The language answered in; null: both" })),
  stance: Type.Union([Type.Object({ label: Type.String(), pro: Type.Number(), model: Type.String() }), Type.Null()]),
  narratives: Type.Array(Type.Object({ narrative: Type.String(), score: Type.Number() })),
  reasons: Type.Array(
    Type.Object({
      source: Type.String({ description: "keyword, bank or stance" }),
      narrative: Nullable(Type.String()),
      weight: Type.Number(),
      detail: Type.String(),
    }),
  ),
  items: Type.Array(
    Type.Object({
      item: CounterItemView,
      narrative: Type.String({ description: "The narrative it was chosen for" }),
      score: Type.Number(),
      token: Type.String({ description: "The tracking token: report events with it" }),
      trackingUrl: Type.String({ description: "A link that records the click and sends the reader on" }),
    }),
  ),
});
export type RedirectView = Static<typeof RedirectView>;

export const CounterEventsView = Type.Object({
  results: Type.Array(Type.Object({ id: Type.String(), duplicate: Type.Boolean() })),
  recorded: Type.Integer(),
  duplicates: Type.Integer(),
  duplicate: Type.Boolean({ description: "Every event of the batch had been recorded before" }),
});
export type CounterEventsView = Static<typeof CounterEventsView>;

const Bounds = {
  low: Nullable(Type.Number({ description: "null: no bound (fewer than two values)" })),
  high: Nullable(Type.Number()),
};

export const CampaignFiguresView = Type.Object({
  key: Type.String(),
  impressions: Type.Integer(),
  clicks: Type.Integer(),
  ctr: Type.Object({ rate: Type.Number(), ...Bounds }),
  views: Type.Integer(),
  watchSeconds: Type.Number(),
  meanWatch: Type.Object({ n: Type.Integer(), mean: Type.Number(), sd: Type.Number(), ...Bounds }),
});
export type CampaignFiguresView = Static<typeof CampaignFiguresView>;

export const CounterFiguresView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  by: Type.String(),
  rows: Type.Array(CampaignFiguresView),
  methods: Type.Record(Type.String(), Type.String()),
});
export type CounterFiguresView = Static<typeof CounterFiguresView>;

const DifferenceView = Type.Object({
  difference: Type.Number(),
  ...Bounds,
  statistic: Nullable(Type.Number()),
  pValue: Type.Number(),
  significant: Type.Boolean(),
  method: Type.String(),
});

export const CounterComparisonView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  a: CampaignFiguresView,
  b: CampaignFiguresView,
  narratives: Type.Array(Type.String()),
  ctr: DifferenceView,
  watch: DifferenceView,
});
export type CounterComparisonView = Static<typeof CounterComparisonView>;
