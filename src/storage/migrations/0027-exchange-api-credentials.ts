/**
 * Issue 17 (decision 0047): HMA keeps an exchange API's credentials per API, not per exchange
 * (`POST /c/exchanges/api/<api>` with no exchange of it yet, then every exchange of that API uses
 * them). rasd keeps them per organisation and API, sealed like an exchange's own; an exchange's
 * own credentials, when set, come first.
 */

import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("exchange_api_credentials")
    .addColumn("org_id", "integer", (c) => c.notNull().references("orgs.id"))
    .addColumn("api", "text", (c) => c.notNull())
    // Sealed JSON (kernels/crypto/secret-box), never answered.
    .addColumn("credentials", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("exchange_api_credentials_pk", ["org_id", "api"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("exchange_api_credentials").execute();
}
