/**
 * Issue 18 (decision 0039): the review queue's filters. Each entry says why it was queued
 * (`reason`: a bank match, the stance model alone, an account match — ban evasion —, an
 * incident bank's signal, or a match behind the item's links) and `review_banks` lists the
 * banks whose signals its item matched, so a filter by bank is an index look-up, not a scan of
 * every item's matches. Entries from before are filled in from their item and action.
 */

import { sql, type Kysely } from "kysely";

const CHUNK = 500;

/** Why an existing entry was queued, from its item's matches and its action's delivery id. */
function reasonOf(
  deliveryId: string,
  matches: { bankId?: number; type?: string; suppressed?: boolean }[],
  incidentBanks: ReadonlySet<number>,
): string {
  const live = matches.filter((m) => !m.suppressed);
  if (live.some((m) => m.bankId !== undefined && incidentBanks.has(m.bankId))) return "incident";
  if (deliveryId.endsWith("_links")) return "link";
  if (live.some((m) => m.type === "account")) return "account";
  return live.length > 0 ? "match" : "stance";
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("review_items")
    .addColumn("reason", "text", (c) => c.notNull().defaultTo("match"))
    .execute();
  await db.schema
    .createTable("review_banks")
    .addColumn("review_id", "integer", (c) => c.notNull().references("review_items.id"))
    .addColumn("bank_id", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("review_banks_pk", ["review_id", "bank_id"])
    .execute();
  await db.schema.createIndex("review_banks_bank").on("review_banks").columns(["bank_id", "review_id"]).execute();
  const incidentBanks = new Set(
    (await sql<{ bank_id: number }>`select bank_id from incidents`.execute(db)).rows.map((r) => Number(r.bank_id)),
  );
  let last = 0;
  for (;;) {
    const rows = (
      await sql<{ id: number; delivery_id: string; matches: string }>`
        select r.id, a.delivery_id, c.matches from review_items r
        join actions a on a.id = r.action_id join content_items c on c.id = r.item_id
        where r.id > ${last} order by r.id limit ${CHUNK}`.execute(db)
    ).rows;
    if (rows.length === 0) break;
    for (const r of rows) {
      let matches: { bankId?: number; type?: string; suppressed?: boolean }[] = [];
      try {
        const parsed: unknown = JSON.parse(r.matches || "[]");
        if (Array.isArray(parsed)) matches = parsed as typeof matches;
      } catch {
        // An unreadable matches column: no banks, queued by stance.
      }
      const id = Number(r.id);
      await sql`update review_items set reason = ${reasonOf(r.delivery_id, matches, incidentBanks)} where id = ${id}`.execute(
        db,
      );
      const banks = [
        ...new Set(matches.filter((m) => !m.suppressed && Number.isInteger(m.bankId)).map((m) => m.bankId!)),
      ];
      if (banks.length)
        await sql`insert into review_banks (review_id, bank_id) values ${sql.join(
          banks.map((b) => sql`(${id}, ${b})`),
        )}`.execute(db);
    }
    last = Number(rows[rows.length - 1]!.id);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("review_banks").execute();
  await db.schema.alterTable("review_items").dropColumn("reason").execute();
}
