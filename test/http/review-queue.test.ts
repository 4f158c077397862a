/**
 * GET /v1/reviews's filters and pages (issue 18, decision 0039): by kind, bank, platform,
 * language and reason, combined; total counted with the same filters; `next`/`before` walks
 * past the first page; precise 400s on bad values; one organisation never sees another's
 * entries, whatever it filters by.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { demoImage } from "../../src/server/demo.js";
import { json, startTestService, type TestService } from "../support/service.js";

const TEXT = "the caravan of the faithful leaves at dawn from the old market square join them before the gates close";

interface Entry {
  id: number;
  item_id: number;
  reason: string;
  bank_ids: number[];
}
interface Page {
  reviews: Entry[];
  total: number;
  next: string | null;
}

describe("the review queue's filters and pages", () => {
  let t: TestService;
  let textBank = 0;
  let imageBank = 0;
  let hiddenBank = 0;
  const texts: number[] = [];
  let image = 0;

  before(async () => {
    t = await startTestService();
    const post = async (key: string, url: string, payload: unknown, headers: Record<string, string> = {}) => {
      const r = await t.call(key, { method: "POST", url, payload: payload as Record<string, unknown>, headers });
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
      return json<{ id: number }>(r);
    };
    textBank = (await post(t.keys.a.admin, "/v1/banks", { name: "a-texts" })).id;
    imageBank = (await post(t.keys.a.admin, "/v1/banks", { name: "a-images" })).id;
    hiddenBank = (await post(t.keys.b.admin, "/v1/banks", { name: "b-private" })).id;
    const img = await demoImage();
    const { pdqHashImageBytes } = await import("../../src/signals/pdq/hash-image.js");
    const pdq = await pdqHashImageBytes(img);
    await post(t.keys.a.admin, `/v1/banks/${textBank}/signals`, { signals: [{ type: "text", value: TEXT }] });
    await post(t.keys.a.admin, `/v1/banks/${imageBank}/signals`, {
      signals: [{ type: "pdq", value: pdq.hash, quality: pdq.quality }],
    });
    for (const org of ["a", "b"] as const)
      await post(t.keys[org].admin, "/v1/rules", { name: "all", conditions: {}, actions: [{ type: "review" }] });
    for (let i = 0; i < 5; i++)
      texts.push(
        (
          await post(
            t.keys.a.submitter,
            "/v1/content",
            { text: `${TEXT} ${i}`, platform: i < 2 ? "tube" : "chat" },
            { "idempotency-key": `q${i}` },
          )
        ).id,
      );
    const boundary = "----rasdq";
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="platform"\r\n\r\ntube\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      img,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const up = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "idempotency-key": "img" },
    });
    assert.equal(up.statusCode, 202, up.body);
    image = json<{ id: number }>(up).id;
    await t.drain();
  });
  after(() => t.close());

  const list = async (key: string, query: string): Promise<Page> => {
    const r = await t.call(key, { method: "GET", url: `/v1/reviews?${query}` });
    assert.equal(r.statusCode, 200, `${query}: ${r.body}`);
    return json<Page>(r);
  };
  const items = (p: Page) => p.reviews.map((r) => r.item_id).sort((a, b) => a - b);

  it("filters by kind and by bank, combined with platform; total counts with the filters", async () => {
    const all = await list(t.keys.a.reviewer, "limit=100");
    assert.equal(all.total, 6);
    assert.ok(all.reviews.every((r) => r.reason === "match"));
    const img = await list(t.keys.a.reviewer, "kind=image");
    assert.deepEqual(items(img), [image]);
    assert.deepEqual(img.reviews[0]!.bank_ids, [imageBank]);
    const byBank = await list(t.keys.a.reviewer, `bank=${textBank}&limit=2`);
    assert.equal(byBank.total, 5, "counted past the limit, with the filter");
    assert.equal(byBank.reviews.length, 2);
    const tube = await list(t.keys.a.reviewer, `bank=${textBank}&platform=tube`);
    assert.deepEqual(items(tube), texts.slice(0, 2));
    assert.equal(tube.total, 2);
    assert.equal((await list(t.keys.a.reviewer, "kind=video")).total, 0);
    assert.equal((await list(t.keys.a.reviewer, "reason=stance")).total, 0);
    assert.equal((await list(t.keys.a.reviewer, "reason=match&kind=text")).total, 5);
    // The stance model found English in the texts; the image has none ("und").
    assert.deepEqual(items(await list(t.keys.a.reviewer, "language=und")), [image]);
    assert.deepEqual(items(await list(t.keys.a.reviewer, "language=en&platform=chat")), texts.slice(2));
    assert.equal((await list(t.keys.a.reviewer, "language=ar")).total, 0);
  });

  it("walks the queue page by page with next/before, without repeats, to the end", async () => {
    const seen: number[] = [];
    let before: string | null = null;
    let pages = 0;
    do {
      const p: Page = await list(t.keys.a.reviewer, `limit=4${before ? `&before=${encodeURIComponent(before)}` : ""}`);
      assert.equal(p.total, 6, "total is the whole queue's on every page");
      seen.push(...p.reviews.map((r) => r.id));
      before = p.next;
      pages++;
    } while (before && pages < 10);
    assert.equal(pages, 2);
    assert.equal(new Set(seen).size, 6);
    const first = await list(t.keys.a.reviewer, "limit=100");
    assert.deepEqual(
      seen,
      first.reviews.map((r) => r.id),
      "the pages in the queue's order",
    );
    assert.equal(first.next, null);
  });

  it("refuses bad filter values with a precise 400", async () => {
    const cases: [string, RegExp][] = [
      ["kind=audio", /kind/],
      ["bank=abc", /bank/],
      ["bank=0", /bank/],
      [`bank=${hiddenBank}`, new RegExp(`no bank ${hiddenBank} that you may see`)],
      ["language=fr", /language/],
      ["reason=vibes", /reason/],
      ["platform=", /platform/],
      ["before=nonsense", /before: "nonsense" is not a cursor of the open queue/],
      ["status=decided&before=0.5:3", /before: "0.5:3" is not a cursor of the decided queue/],
      ["colour=red", /colour|additional/i],
    ];
    for (const [query, message] of cases) {
      const r = await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/reviews?${query}` });
      assert.equal(r.statusCode, 400, `${query}: ${r.body}`);
      assert.match(json<{ error: { message: string } }>(r).error.message, message, query);
    }
  });

  it("another organisation never sees A's entries, whatever it filters by", async () => {
    const b = await list(t.keys.b.admin, "limit=100");
    assert.equal(b.total, 0);
    for (const q of ["kind=image", "kind=text", "platform=tube", "reason=match"])
      assert.equal((await list(t.keys.b.admin, q)).total, 0, q);
    const r = await t.call(t.keys.b.admin, { method: "GET", url: `/v1/reviews?bank=${textBank}` });
    assert.equal(r.statusCode, 400, "A's private bank is not B's to filter by");
    const sub = await t.call(t.keys.a.submitter, { method: "GET", url: "/v1/reviews?kind=text" });
    assert.equal(sub.statusCode, 403, "a submitter does not read the queue");
  });
});
