/** Review wellness (ports/wellness.ts) over Kysely. */

import type { Kysely } from "kysely";
import type { DailyLimit, ReviewPreferences, WellnessStore } from "./ports/wellness.js";
import type { Database } from "./schema.js";

export class KyselyWellnessStore implements WellnessStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getPreferences(personId: number): Promise<ReviewPreferences | undefined> {
    const r = await this.db
      .selectFrom("review_preferences")
      .selectAll()
      .where("person_id", "=", personId)
      .executeTakeFirst();
    return (
      r && {
        blur: Number(r.blur),
        greyscale: Number(r.greyscale) === 1,
        breakMinutes: Number(r.break_minutes),
        breakItems: Number(r.break_items),
        audio: Number(r.audio) === 1,
      }
    );
  }

  async setPreferences(personId: number, p: ReviewPreferences, now: number): Promise<void> {
    const row = {
      blur: p.blur,
      greyscale: p.greyscale ? 1 : 0,
      break_minutes: p.breakMinutes,
      break_items: p.breakItems,
      audio: p.audio ? 1 : 0,
      updated_at: now,
    };
    await this.db
      .insertInto("review_preferences")
      .values({ person_id: personId, ...row })
      .onConflict((oc) => oc.column("person_id").doUpdateSet(row))
      .execute();
  }

  async getDailyLimit(orgId: number): Promise<DailyLimit> {
    const r = await this.db.selectFrom("review_limits").selectAll().where("org_id", "=", orgId).executeTakeFirst();
    return {
      dailyLimit: r?.daily_limit === null || r?.daily_limit === undefined ? null : Number(r.daily_limit),
      updatedBy: r?.updated_by ?? null,
      updatedAt: r ? Number(r.updated_at) : null,
    };
  }

  async setDailyLimit(orgId: number, limit: number | null, by: number, now: number): Promise<void> {
    const row = { daily_limit: limit, updated_by: by, updated_at: now };
    await this.db
      .insertInto("review_limits")
      .values({ org_id: orgId, ...row })
      .onConflict((oc) => oc.column("org_id").doUpdateSet(row))
      .execute();
  }

  async recordExposure(personId: number, reviewId: number, day: number, at: number): Promise<void> {
    await this.db
      .insertInto("review_exposures")
      .values({ person_id: personId, review_id: reviewId, day, seen_at: at })
      .onConflict((oc) => oc.columns(["person_id", "day", "review_id"]).doNothing())
      .execute();
  }

  async exposures(personId: number, day: number, reviewId?: number): Promise<{ count: number; includes: boolean }> {
    const r = await this.db
      .selectFrom("review_exposures")
      .select((eb) => [
        eb.fn.countAll<number>().as("n"),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when("review_id", "=", reviewId ?? -1)
              .then(1)
              .else(0)
              .end(),
          )
          .as("hit"),
      ])
      .where("person_id", "=", personId)
      .where("day", "=", day)
      .executeTakeFirst();
    return { count: Number(r?.n ?? 0), includes: Number(r?.hit ?? 0) > 0 };
  }

  async pruneExposures(beforeDay: number): Promise<number> {
    const r = await this.db.deleteFrom("review_exposures").where("day", "<", beforeDay).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
