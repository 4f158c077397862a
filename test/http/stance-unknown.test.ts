/**
 * A text in a language the stance model was not trained for gets `unknown` through the whole
 * pipeline: stored and shown by the API with the model version, never pro, never sent to review by
 * a stance rule (decision 0014). SQLite only: the storage of classifications is checked on both
 * databases by test/http/measure.test.ts.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { json, startTestService, type TestService } from "../support/service.js";

describe("stance of untrained languages through the API", () => {
  let t: TestService;
  let db: TestDatabase;
  let key = 0;

  before(async () => {
    db = sqliteDatabase();
    t = await startTestService({ db });
    const rule = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "pro-to-review", conditions: { stance: ["pro"] }, actions: [{ type: "review" }] },
    });
    assert.equal(rule.statusCode, 201, rule.body);
  });

  after(async () => {
    await t?.close();
    await db?.drop();
  });

  const submit = async (text: string): Promise<number> => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: { text },
      headers: { "idempotency-key": `u-${++key}` },
    });
    assert.equal(r.statusCode, 202, r.body);
    return json<{ id: number }>(r).id;
  };

  test("French, Turkish, Indonesian and Arabizi texts are `unknown`, with the model version", async () => {
    const texts: [string, string][] = [
      ["Les soldats du califat vaincront, rejoignez l'État islamique mes frères", "fr"],
      ["Bugün hava çok güzel, akşam yemeğinde ne yiyoruz", "tr"],
      ["Terima kasih banyak ya, besok kita pergi ke pantai", "id"],
      ["el dawla el islamiya baqiya wallah ya 7abibi", "ar-Latn"],
    ];
    const ids = [];
    for (const [text] of texts) ids.push(await submit(text));
    await t.drain();
    for (const [i, id] of ids.entries()) {
      const view = json<{ stance?: { label: string; score: number; lang: string; model: string } }>(
        await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }),
      );
      assert.equal(view.stance?.label, "unknown", JSON.stringify(view));
      assert.equal(view.stance?.score, 0);
      assert.equal(view.stance?.lang, texts[i]![1]);
      assert.equal(view.stance?.model, t.s.classifier.version);
      assert.match(view.stance?.model ?? "", /^stance-v2@[0-9a-f]{12}$/);
    }
    const reviews = json<{ reviews: unknown[] }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews" }),
    ).reviews;
    assert.equal(reviews.length, 0);
  });
});
