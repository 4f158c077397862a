/**
 * The review decision taxonomy (violating with labels, not violating, escalate), its
 * statement of reasons, adding a confirmed item to a bank in the same step (and who may),
 * the review detail and media routes, the dashboard's activity figures and the bank search
 * the web app uses — each scoped to the caller's organisation and visible banks.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { demoImage } from "../../src/server/demo.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { rawDb } from "../support/raw-db.js";

const B_TEXT = "the caravan of the faithful leaves at dawn from the old market square join them before the gates close";
const AR_TEXT = "انضموا إلى قافلة المؤمنين التي تغادر عند الفجر من ساحة السوق القديمة قبل إغلاق الأبواب";

describe("reviews, media, activity and search", () => {
  let t: TestService;
  const banks = {} as Record<"bGreen" | "bStrict" | "aOwn" | "aAllow", number>;
  let reviews: { id: number; item_id: number }[] = [];
  let imageItem = 0;
  let textItem = 0;

  before(async () => {
    t = await startTestService();
    const post = async (key: string, url: string, payload: unknown, headers: Record<string, string> = {}) => {
      const r = await t.call(key, { method: "POST", url, payload: payload as Record<string, unknown>, headers });
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
      return json<{ id: number }>(r);
    };
    banks.bGreen = (await post(t.keys.b.admin, "/v1/banks", { name: "b-green", tlp: "GREEN" })).id;
    banks.bStrict = (await post(t.keys.b.admin, "/v1/banks", { name: "b-strict" })).id;
    banks.aOwn = (await post(t.keys.a.admin, "/v1/banks", { name: "a-confirmed" })).id;
    banks.aAllow = (await post(t.keys.a.admin, "/v1/banks", { name: "a-allow", negative: true })).id;
    const image = await demoImage();
    const { pdqHashImageBytes } = await import("../../src/signals/pdq/hash-image.js");
    const pdq = await pdqHashImageBytes(image);
    await post(t.keys.b.curator, `/v1/banks/${banks.bGreen}/signals`, {
      signals: [
        { type: "text", value: B_TEXT, labels: { entity: ["isis"], behaviour: ["recruitment"], language: ["en"] } },
        { type: "text", value: AR_TEXT, labels: { entity: ["isis"], language: ["ar"] } },
        { type: "pdq", value: pdq.hash, quality: pdq.quality, labels: { behaviour: ["glorification"] } },
      ],
    });
    await post(t.keys.a.admin, "/v1/rules", { name: "review-all", conditions: {}, actions: [{ type: "review" }] });
    for (let i = 0; i < 4; i++)
      textItem = (
        await post(t.keys.a.submitter, "/v1/content", { text: `${B_TEXT} ${i}` }, { "idempotency-key": `t${i}` })
      ).id;
    await post(
      t.keys.a.submitter,
      "/v1/content",
      { text: "nothing to see here at all, the weather is fine" },
      { "idempotency-key": "n" },
    );
    const boundary = "----rasdtest";
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      image,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const up = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: body,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "idempotency-key": "img" },
    });
    assert.equal(up.statusCode, 202, up.body);
    imageItem = json<{ id: number }>(up).id;
    await t.drain();
    reviews = json<{ reviews: { id: number; item_id: number }[] }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews?limit=100" }),
    ).reviews;
    assert.equal(reviews.length, 5, "four texts and the image matched");
  });
  after(() => t.close());

  const decide = (key: string, id: number, payload: Record<string, unknown>) =>
    t.call(key, { method: "POST", url: `/v1/reviews/${id}/decision`, payload });
  const reviewOf = (item: number) => reviews.find((r) => r.item_id === item)!;
  const textReviews = () => reviews.filter((r) => r.item_id !== imageItem);

  it("refuses decisions outside the taxonomy, without reasons, or with labels that do not fit", async () => {
    const id = textReviews()[0]!.id;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ decision: "violating", reasons: "x" }, /at least one entity or behaviour/],
      [{ decision: "violating", labels: { entity: ["isis"] } }, /missing required field "reasons"/],
      [{ decision: "violating", labels: { entity: ["isis"] }, reasons: "   " }, /statement of reasons/],
      [{ decision: "violating", labels: { behaviour: ["chatting"] }, reasons: "x" }, /must be one of/],
      [{ decision: "violating", labels: { entity: ["Not A Slug"] }, reasons: "x" }, /not a slug/],
      [{ decision: "not_violating", labels: { entity: ["isis"] }, reasons: "x" }, /only a violating decision/],
      [{ decision: "escalate", reasons: "x", addToBank: { bankId: banks.aOwn } }, /only a violating item/],
      [{ decision: "remove", reasons: "x" }, /must be one of/],
    ];
    for (const [body, message] of cases) {
      const r = await decide(t.keys.a.reviewer, id, body);
      assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
      assert.match(json<{ error: { message: string } }>(r).error.message, message);
    }
  });

  it("a reviewer may add to their own organisation's banks only; refused requests change nothing", async () => {
    const id = textReviews()[0]!.id;
    const violating = { decision: "violating", labels: { entity: ["isis"] }, reasons: "recruitment call" };
    const other = await decide(t.keys.a.reviewer, id, { ...violating, addToBank: { bankId: banks.bGreen } });
    assert.equal(other.statusCode, 403, "visible but another organisation's");
    const hidden = await decide(t.keys.a.reviewer, id, { ...violating, addToBank: { bankId: banks.bStrict } });
    assert.equal(hidden.statusCode, 404, "invisible: as if it did not exist");
    const allow = await decide(t.keys.a.reviewer, id, { ...violating, addToBank: { bankId: banks.aAllow } });
    assert.equal(allow.statusCode, 400, "never into an allow-list");
    const row = await rawDb(t.s).selectFrom("review_items").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    assert.equal(row.status, "open");
    assert.equal(await t.s.store.countSignals(banks.aOwn), 0);
  });

  it("decides violating with labels and reasons and adds the item's text to the bank in one step", async () => {
    const id = textReviews()[0]!.id;
    const r = await decide(t.keys.a.reviewer, id, {
      decision: "violating",
      labels: { entity: ["isis"], behaviour: ["recruitment"], language: ["en"] },
      reasons: "  Calls on readers to join the group.  ",
      addToBank: { bankId: banks.aOwn },
    });
    assert.equal(r.statusCode, 200, r.body);
    const body = json<{
      decision: string;
      reasons: string;
      added_to_bank: { bank_id: number; signal_ids: number[]; created: number };
    }>(r);
    assert.equal(body.decision, "violating");
    assert.equal(body.reasons, "Calls on readers to join the group.");
    assert.equal(body.added_to_bank.bank_id, banks.aOwn);
    assert.equal(body.added_to_bank.created, 1);
    const [signal] = await t.s.store.listSignals(banks.aOwn);
    assert.equal(signal?.type, "text");
    assert.deepEqual(signal?.labels, { entity: ["isis"], behaviour: ["recruitment"], language: ["en"] });
    assert.equal(signal?.source, `review:${id}`);
    assert.deepEqual(body.added_to_bank.signal_ids, [signal!.id]);
    const detail = json<{ review: Record<string, unknown> }>(
      await t.call(t.keys.a.reader, { method: "GET", url: `/v1/reviews/${id}` }),
    );
    assert.equal(detail.review.status, "decided");
    assert.equal(detail.review.reasons, "Calls on readers to join the group.");
    assert.deepEqual(detail.review.added_to_bank, { bank_id: banks.aOwn, signal_ids: [signal!.id] });
    const again = await decide(t.keys.a.reviewer, id, { decision: "escalate", reasons: "x" });
    assert.equal(again.statusCode, 409);
    const audit = await t.s.access.store.listAudit(t.orgs.a.id);
    assert.ok(audit.some((e) => e.action === "review.decide" && e.target === `review:${id}`));
    assert.ok(audit.some((e) => e.action === "signal.add" && e.target === `bank:${banks.aOwn}`));
  });

  it("not violating and escalate need only reasons; an admin (who curates) may add an image's hashes", async () => {
    const [, second, third] = textReviews();
    assert.equal(
      (await decide(t.keys.a.reviewer, second!.id, { decision: "not_violating", reasons: "news" })).statusCode,
      200,
    );
    assert.equal(
      (await decide(t.keys.a.reviewer, third!.id, { decision: "escalate", reasons: "unsure" })).statusCode,
      200,
    );
    const r = await decide(t.keys.a.admin, reviewOf(imageItem).id, {
      decision: "violating",
      labels: { behaviour: ["glorification"] },
      reasons: "known image",
      addToBank: { bankId: banks.aOwn },
    });
    assert.equal(r.statusCode, 200, r.body);
    const types = (await t.s.store.listSignals(banks.aOwn)).map((x) => x.type).sort();
    assert.deepEqual(types, ["md5", "pdq", "sha256", "text"]);
  });

  it("escalate is a state: listed as escalated for an admin to decide, not for a reviewer; total counts past the limit", async () => {
    const third = textReviews()[2]!;
    const list = async (key: string, q: string) =>
      json<{ reviews: { id: number; status: string }[]; total: number }>(
        await t.call(key, { method: "GET", url: `/v1/reviews?${q}` }),
      );
    const escalated = await list(t.keys.a.reviewer, "status=escalated");
    assert.deepEqual(
      escalated.reviews.map((r) => [r.id, r.status]),
      [[third.id, "escalated"]],
    );
    assert.equal(escalated.total, 1);
    const open = await list(t.keys.a.reviewer, "status=open&limit=1");
    assert.equal(open.reviews.length, 1);
    assert.equal(open.total, 1, "one text entry is still open");
    const decided = await list(t.keys.a.reviewer, "status=decided&limit=1");
    assert.equal(decided.reviews.length, 1);
    assert.equal(decided.total, 3, "the first two texts and the image");
    const byReviewer = await decide(t.keys.a.reviewer, third.id, { decision: "not_violating", reasons: "fine" });
    assert.equal(byReviewer.statusCode, 403, byReviewer.body);
    assert.match(byReviewer.body, /escalated: an admin/);
    assert.equal((await decide(t.keys.a.admin, third.id, { decision: "escalate", reasons: "x" })).statusCode, 409);
    const byAdmin = await decide(t.keys.a.admin, third.id, {
      decision: "not_violating",
      reasons: "satire, on a second look",
    });
    assert.equal(byAdmin.statusCode, 200, byAdmin.body);
    assert.equal(json<{ status: string }>(byAdmin).status, "decided");
    assert.equal((await list(t.keys.a.reviewer, "status=escalated")).total, 0);
  });

  it("a claimed entry is not offered to another reviewer, whose decision is refused until the claim is released", async () => {
    const fourth = textReviews()[3]!;
    const claim = (key: string, method: "POST" | "DELETE") =>
      t.call(key, { method, url: `/v1/reviews/${fourth.id}/claim` });
    const mine = await claim(t.keys.a.reviewer, "POST");
    assert.equal(mine.statusCode, 200, mine.body);
    const until = Date.parse(json<{ claimed_until: string }>(mine).claimed_until);
    assert.ok(until > Date.now() + 9 * 60_000 && until <= Date.now() + 10 * 60_000, "a ten-minute claim");
    assert.equal((await claim(t.keys.a.reviewer, "POST")).statusCode, 200, "the holder may renew it");
    const queue = async (key: string) =>
      json<{ reviews: { id: number }[]; total: number }>(
        await t.call(key, { method: "GET", url: "/v1/reviews?status=open" }),
      );
    assert.deepEqual(
      (await queue(t.keys.a.reviewer)).reviews.map((r) => r.id),
      [fourth.id],
    );
    assert.deepEqual(
      await queue(t.keys.a.admin),
      { reviews: [], total: 0, next: null },
      "not offered to another reviewer",
    );
    const theirs = await claim(t.keys.a.admin, "POST");
    assert.equal(theirs.statusCode, 409);
    assert.match(theirs.body, /claimed by another reviewer until/);
    const refused = await decide(t.keys.a.admin, fourth.id, { decision: "not_violating", reasons: "x" });
    assert.equal(refused.statusCode, 409);
    assert.equal((await claim(t.keys.a.admin, "DELETE")).statusCode, 204, "releasing another's claim does nothing");
    assert.equal((await claim(t.keys.a.admin, "POST")).statusCode, 409);
    assert.equal((await claim(t.keys.a.reviewer, "DELETE")).statusCode, 204);
    assert.equal((await queue(t.keys.a.admin)).total, 1, "released: offered again");
    assert.equal((await claim(t.keys.a.reader, "POST")).statusCode, 403, "a reader cannot claim");
    // An expired claim is no claim: the other reviewer may take it.
    await rawDb(t.s)
      .updateTable("review_items")
      .set({ claimed_by: t.people.a.reviewer, claimed_until: Date.now() - 1 })
      .where("id", "=", fourth.id)
      .execute();
    assert.equal((await claim(t.keys.a.admin, "POST")).statusCode, 200);
    assert.equal((await claim(t.keys.a.admin, "DELETE")).statusCode, 204);
  });

  it("another organisation cannot read or decide A's review entries", async () => {
    const id = textReviews()[3]!.id;
    for (const key of [t.keys.b.admin, t.keys.c.admin]) {
      assert.equal((await t.call(key, { method: "GET", url: `/v1/reviews/${id}` })).statusCode, 404);
      assert.equal((await decide(key, id, { decision: "not_violating", reasons: "x" })).statusCode, 404);
    }
  });

  it("the review detail shows the matched signals of visible banks with their similarity and labels", async () => {
    const r = await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/reviews/${reviewOf(textItem).id}` });
    assert.equal(r.statusCode, 200);
    const d = json<{
      item: { text: string };
      matched_signals: { signal: { value: string; labels: unknown }; bank: { name: string }; similarity: number }[];
    }>(r);
    assert.match(d.item.text, /caravan/);
    assert.equal(d.matched_signals[0]?.bank.name, "b-green");
    assert.ok(d.matched_signals[0]!.similarity > 0.5);
  });

  it("serves an item's media to its own organisation's reviewers, inline, typed, sandboxed", async () => {
    const r = await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/content/${imageItem}/media` });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["content-type"], "image/png");
    assert.equal(r.headers["content-disposition"], "inline");
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.match(String(r.headers["content-security-policy"]), /sandbox/);
    assert.equal(r.rawPayload.subarray(1, 4).toString(), "PNG");
    const text = await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${textItem}/media` });
    assert.equal(text.headers["content-type"], "text/plain; charset=utf-8");
    assert.match(text.body, /caravan/);
    assert.equal(
      (await t.call(t.keys.a.submitter, { method: "GET", url: `/v1/content/${imageItem}/media` })).statusCode,
      403,
    );
    assert.equal(
      (await t.call(t.keys.b.admin, { method: "GET", url: `/v1/content/${imageItem}/media` })).statusCode,
      404,
    );
    assert.equal((await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/content/999999/media" })).statusCode, 404);
  });

  it("activity figures are per period, for the caller's organisation, with matches by visible bank and label", async () => {
    const from = new Date(Date.now() - 3 * 3600_000).toISOString();
    const r = await t.call(t.keys.a.reader, { method: "GET", url: `/v1/stats/activity?interval=hour&from=${from}` });
    assert.equal(r.statusCode, 200, r.body);
    const a = json<{
      totals: { received: number; matched: number; actions: number };
      periods: { start: string; received: number }[];
      by_bank: { bank_name: string; matches: number }[];
      by_label: { kind: string; label: string; matches: number }[];
    }>(r);
    assert.deepEqual(a.totals, { received: 6, matched: 5, actions: 5 });
    assert.ok(a.periods.length >= 3 && a.periods.length <= 4);
    assert.equal(
      a.periods.reduce((n, p) => n + p.received, 0),
      6,
    );
    assert.deepEqual(a.by_bank, [{ bank_id: banks.bGreen, bank_name: "b-green", matches: 5 }]);
    assert.ok(a.by_label.some((l) => l.kind === "entity" && l.label === "isis" && l.matches === 4));
    const b = json<{ totals: { received: number } }>(
      await t.call(t.keys.b.admin, { method: "GET", url: `/v1/stats/activity?interval=hour&from=${from}` }),
    );
    assert.equal(b.totals.received, 0, "B sees only its own items");
    assert.equal(
      (await t.call(t.keys.a.reader, { method: "GET", url: "/v1/stats/activity?interval=minute" })).statusCode,
      400,
    );
    assert.equal(
      (
        await t.call(t.keys.a.reader, {
          method: "GET",
          url: `/v1/stats/activity?from=${new Date().toISOString()}&to=${from}`,
        })
      ).statusCode,
      400,
    );
    assert.equal(
      (await t.call(t.keys.a.reader, { method: "GET", url: "/v1/stats/activity?interval=hour&from=2000-01-01" }))
        .statusCode,
      400,
    );
  });

  it("searches visible banks by text (Arabic too), hash and label; shows opinions; another organisation sees nothing hidden", async () => {
    const search = async (key: string, q: string) =>
      json<{ signals: { value: string; bank_name: string; similarity?: number }[] }>(
        await t.call(key, { method: "GET", url: `/v1/signals?${q}` }),
      ).signals;
    const ar = await search(t.keys.c.reader, `q=${encodeURIComponent("قافلة المؤمنين")}`);
    assert.deepEqual(
      ar.map((x) => x.value),
      [AR_TEXT],
    );
    // Spelling variants: bare alef for إ, heh for taa marbuta, tatweel and marks added.
    for (const variant of ["الى قافله", "إلى قافـلة", "قَافِلَةِ المؤمنين"])
      assert.deepEqual(
        (await search(t.keys.c.reader, `q=${encodeURIComponent(variant)}`)).map((x) => x.value),
        [AR_TEXT],
        variant,
      );
    assert.deepEqual(await search(t.keys.c.reader, `q=${encodeURIComponent("قافلة الكافرين")}`), []);
    const near = await search(t.keys.c.reader, `q=${encodeURIComponent(`${B_TEXT} today`)}`);
    assert.ok(near[0]?.similarity !== undefined && near[0].value === B_TEXT, "near-copies of a text");
    const byLabel = await search(t.keys.c.reader, "label=glorification");
    assert.deepEqual(
      byLabel.map((x) => x.bank_name),
      ["b-green"],
    );
    const own = await search(t.keys.a.reader, "q=caravan");
    assert.deepEqual(own.map((x) => x.bank_name).sort(), ["a-confirmed", "b-green"]);
    assert.deepEqual(await search(t.keys.c.reader, "q=caravan&bank_id=" + banks.aOwn), [], "A's AMBER+STRICT bank");
    const [signal] = await t.s.store.listSignals(banks.bGreen);
    const op = await t.call(t.keys.a.admin, {
      method: "POST",
      url: `/v1/signals/${signal!.id}/opinions`,
      payload: { kind: "confirm" },
    });
    assert.equal(op.statusCode, 200, op.body);
    const detail = json<{ opinions: { org_name: string; kind: string }[]; history: { event: string }[] }>(
      await t.call(t.keys.c.reader, { method: "GET", url: `/v1/signals/${signal!.id}/opinions` }),
    );
    assert.deepEqual(
      detail.opinions.map((o) => [o.org_name, o.kind]),
      [["Platform A", "confirm"]],
    );
    assert.ok(detail.history.some((h) => h.event === "opinion: confirm"));
    const [hidden] = await t.s.store.listSignals(banks.aOwn);
    assert.equal(
      (await t.call(t.keys.c.admin, { method: "GET", url: `/v1/signals/${hidden!.id}/opinions` })).statusCode,
      404,
    );
    assert.equal(
      (
        await t.call(t.keys.c.admin, {
          method: "POST",
          url: `/v1/signals/${hidden!.id}/opinions`,
          payload: { kind: "dispute" },
        })
      ).statusCode,
      404,
    );
  });

  it("once retention deleted an item's media, the media route says so (410 media.expired) and the detail shows when", async () => {
    const item = (await t.s.content.getItem(imageItem))!;
    assert.ok(item.mediaKey);
    const at = Date.parse("2026-01-02T03:04:05.000Z");
    // What the retention sweep does (services/media-retention.ts, tested in test/storage/media.test.ts).
    await rawDb(t.s).updateTable("content_items").set({ media_expired_at: at }).where("id", "=", imageItem).execute();
    await t.s.stores.media.delete(item.mediaKey);
    const r = await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/content/${imageItem}/media` });
    assert.equal(r.statusCode, 410, r.body);
    const error = json<{ error: { code: string; message: string } }>(r).error;
    assert.equal(error.code, "media.expired");
    assert.match(
      error.message,
      /^media expired: .* deleted on 2026-01-02T03:04:05.000Z under the media retention policy/,
    );
    const review = reviews.find((v) => v.item_id === imageItem);
    assert.ok(review, "the image went to review");
    const detail = json<{ item: { media_expired_at?: string; hashes: unknown } }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: `/v1/reviews/${review.id}` }),
    );
    assert.equal(detail.item.media_expired_at, "2026-01-02T03:04:05.000Z");
    assert.ok(detail.item.hashes, "the hashes are kept");
  });
});
