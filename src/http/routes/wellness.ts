/**
 * Review wellness (decision 0028): the caller's own review preferences and exposure today,
 * and the organisation's daily limit, which an admin sets and the claim route enforces.
 */

import { Type } from "typebox";
import type { Services } from "../../server/services.js";
import { PREFERENCE_BOUNDS, WellnessService, type Exposure } from "../../services/wellness.js";
import type { DailyLimit, ReviewPreferences } from "../../storage/ports/index.js";
import { route, type RouteDef } from "../route.js";
import { auditEntry } from "./members.js";

const b = PREFERENCE_BOUNDS;

const PreferencesView = Type.Object({
  blur: Type.Integer({ description: "Blur strength before revealing, CSS pixels (0: none)" }),
  greyscale: Type.Boolean({ description: "Media in greyscale until revealed" }),
  break_minutes: Type.Integer({ description: "A break prompt after this many minutes of reviewing (0: never)" }),
  break_items: Type.Integer({ description: "A break prompt after this many items (0: never)" }),
  audio: Type.Boolean({ description: "Video plays with sound (false: muted, the default)" }),
  saved: Type.Boolean({ description: "false: the defaults (the person never saved any)" }),
});

const LimitView = Type.Object({
  daily_limit: Type.Union([Type.Integer(), Type.Null()], {
    description: "Review entries one person may open per UTC day; null: no limit",
  }),
  updated_by: Type.Union([Type.Integer(), Type.Null()]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
});

const ExposureView = Type.Object({
  seen_today: Type.Integer({ description: "Distinct review entries the caller opened today (UTC)" }),
  daily_limit: Type.Union([Type.Integer(), Type.Null()]),
  remaining: Type.Union([Type.Integer(), Type.Null()], { description: "Entries left today; null: no limit" }),
  resets_at: Type.String({ description: "When the count starts again (UTC midnight)" }),
});

function preferencesView(p: ReviewPreferences & { saved: boolean }) {
  return {
    blur: p.blur,
    greyscale: p.greyscale,
    break_minutes: p.breakMinutes,
    break_items: p.breakItems,
    audio: p.audio,
    saved: p.saved,
  };
}

function limitView(l: DailyLimit) {
  return {
    daily_limit: l.dailyLimit,
    updated_by: l.updatedBy,
    updated_at: l.updatedAt === null ? null : new Date(l.updatedAt).toISOString(),
  };
}

function exposureView(e: Exposure) {
  return {
    seen_today: e.seenToday,
    daily_limit: e.dailyLimit,
    remaining: e.remaining,
    resets_at: new Date(e.resetsAt).toISOString(),
  };
}

export function wellnessRoutes(s: Services): RouteDef[] {
  const wellness = new WellnessService(s.stores.wellness);
  return [
    route({
      method: "GET",
      url: "/v1/reviews/wellness",
      access: "review.read",
      summary:
        "The caller's review preferences (blur, greyscale, break prompts, audio) and exposure today: entries opened, the organisation's daily limit and what is left",
      tags: ["review"],
      schema: { response: { 200: Type.Object({ preferences: PreferencesView, exposure: ExposureView }) } },
      handler: async (_req, _reply, who) => ({
        preferences: preferencesView(await wellness.preferences(who.personId)),
        exposure: exposureView(await wellness.exposure(who.personId, who.orgId)),
      }),
    }),
    route({
      method: "PUT",
      url: "/v1/reviews/preferences",
      access: "review.read",
      summary: "Save the caller's own review preferences (fields left out keep their value)",
      tags: ["review"],
      schema: {
        body: Type.Object(
          {
            blur: Type.Optional(Type.Integer({ minimum: b.blur.min, maximum: b.blur.max })),
            greyscale: Type.Optional(Type.Boolean()),
            break_minutes: Type.Optional(Type.Integer({ minimum: b.breakMinutes.min, maximum: b.breakMinutes.max })),
            break_items: Type.Optional(Type.Integer({ minimum: b.breakItems.min, maximum: b.breakItems.max })),
            audio: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: PreferencesView },
      },
      handler: async (req, _reply, who) => {
        const q = req.body;
        const saved = await wellness.savePreferences(who.personId, {
          ...(q.blur !== undefined ? { blur: q.blur } : {}),
          ...(q.greyscale !== undefined ? { greyscale: q.greyscale } : {}),
          ...(q.break_minutes !== undefined ? { breakMinutes: q.break_minutes } : {}),
          ...(q.break_items !== undefined ? { breakItems: q.break_items } : {}),
          ...(q.audio !== undefined ? { audio: q.audio } : {}),
        });
        return preferencesView(saved);
      },
    }),
    route({
      method: "GET",
      url: "/v1/reviews/daily-limit",
      access: "review.read",
      summary: "The organisation's daily limit of review entries one person may open",
      tags: ["review"],
      schema: { response: { 200: LimitView } },
      handler: async (_req, _reply, who) => limitView(await wellness.limit(who.orgId)),
    }),
    route({
      method: "PUT",
      url: "/v1/reviews/daily-limit",
      access: "settings.write",
      summary:
        "Set (or, with null, lift) the organisation's daily limit: past it, claiming a new review entry is refused (429 review.daily_limit) until UTC midnight",
      tags: ["review"],
      schema: {
        body: Type.Object(
          {
            daily_limit: Type.Union([
              Type.Integer({ minimum: b.dailyLimit.min, maximum: b.dailyLimit.max }),
              Type.Null(),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: LimitView },
      },
      handler: async (req, _reply, who) => {
        const limit = await wellness.setLimit(who.orgId, req.body.daily_limit, who.personId);
        await s.access.audit(
          auditEntry(req, who, "review.daily_limit", `org:${who.orgId}`, { daily_limit: limit.dailyLimit }),
        );
        return limitView(limit);
      },
    }),
  ];
}
