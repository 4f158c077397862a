/** Webhook secrets written plain by earlier versions are still read, and sealed at the next start. */

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { SealedRuleStore } from "../../src/services/rule-secrets.js";
import { openStores } from "../../src/storage/open.js";
import { sqliteDatabase } from "../support/databases.js";

test("plain secrets are read as they are, then sealed by sealPlainSecrets; a wrong key is an error", async () => {
  const db = sqliteDatabase();
  const stores = await openStores(db.url);
  try {
    const org = await stores.signals.createOrg("Platform", "platform");
    const plain = "whsec_" + Buffer.alloc(32, 3).toString("base64");
    const rule = await stores.rules.create(org.id, {
      name: "old",
      conditions: {},
      actions: [{ type: "review" }, { type: "webhook", url: "https://r.example/h", secret: plain }],
    });
    const key = randomBytes(32);
    const sealed = new SealedRuleStore(stores.rules, key);
    const read = async () => {
      const a = (await sealed.get(rule.id))!.actions[1]!;
      return a.type === "webhook" ? a.secret : undefined;
    };
    assert.equal(await read(), plain, "read plain");
    assert.equal(await sealed.sealPlainSecrets(), 1);
    assert.equal(await sealed.sealPlainSecrets(), 0, "nothing left to seal");
    const raw = (await stores.rules.get(rule.id))!.actions[1]!;
    assert.ok(raw.type === "webhook" && raw.secret.startsWith("sealed:v1:") && !raw.secret.includes(plain.slice(6)));
    assert.equal(await read(), plain, "read sealed");
    await assert.rejects(new SealedRuleStore(stores.rules, randomBytes(32)).list(), /sealed under another key/);
  } finally {
    await stores.close();
    await db.drop();
  }
});
