/**
 * The audit log becomes hash-chained (core/audit-chain.ts): each entry gets its chain (its
 * organisation, 0 for none), its number in the chain and the previous and its own hash;
 * `audit_chain_heads` holds each chain's last number and hash, and is the row an appender
 * locks, so entries from several processes are chained one at a time. Existing entries are
 * chained here, in the order they were written.
 */

import type { Kysely } from "kysely";
import { auditHash, chainOf, GENESIS_HASH } from "../../core/audit-chain.js";

/** Rows chained per round trip while migrating. */
const PAGE = 1000;

/** The tables as this migration leaves them (not as later migrations may). */
interface Then {
  audit_log: {
    id: number;
    at: number | string;
    org_id: number | null;
    person_id: number | null;
    actor: string;
    action: string;
    target: string;
    detail: string;
    source: string;
    chain: number;
    seq: number;
    prev_hash: string;
    hash: string;
  };
  audit_chain_heads: { chain: number; seq: number; hash: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("audit_log")
    .addColumn("chain", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("audit_log")
    .addColumn("prev_hash", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("audit_log")
    .addColumn("hash", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createTable("audit_chain_heads")
    .addColumn("chain", "integer", (c) => c.primaryKey())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .execute();
  await chainExisting(db as Kysely<Then>);
  await db.schema.createIndex("audit_log_chain").on("audit_log").columns(["chain", "seq"]).unique().execute();
}

async function chainExisting(db: Kysely<Then>): Promise<void> {
  const heads = new Map<number, { seq: number; hash: string }>();
  for (let after = 0; ;) {
    const rows = await db
      .selectFrom("audit_log")
      .select(["id", "at", "org_id", "person_id", "actor", "action", "target", "detail", "source"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const chain = chainOf(r.org_id);
      const head = heads.get(chain) ?? { seq: 0, hash: GENESIS_HASH };
      const seq = head.seq + 1;
      const fields = {
        chain,
        seq,
        at: Number(r.at),
        orgId: r.org_id,
        personId: r.person_id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail,
        source: r.source,
      };
      const hash = auditHash(head.hash, fields);
      await db
        .updateTable("audit_log")
        .set({ chain, seq, prev_hash: head.hash, hash })
        .where("id", "=", r.id)
        .execute();
      heads.set(chain, { seq, hash });
    }
    after = rows[rows.length - 1]!.id;
  }
  for (const [chain, head] of heads)
    await db.insertInto("audit_chain_heads").values({ chain, seq: head.seq, hash: head.hash }).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("audit_log_chain").execute();
  await db.schema.dropTable("audit_chain_heads").execute();
  for (const column of ["hash", "prev_hash", "seq", "chain"])
    await db.schema.alterTable("audit_log").dropColumn(column).execute();
}
