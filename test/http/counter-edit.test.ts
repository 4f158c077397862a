/**
 * Editing counter-narrative drafts and the keyword sets' normalised form over HTTP (issue 20;
 * docs/counter-messaging.md, decision 0035): a draft is edited field by field by its own
 * organisation; another organisation gets not_found or forbidden; an approved item cannot
 * change (conflict); bad input is refused precisely; each keyword carries the form it is
 * matched as (Arabic-normalised), and an edited draft once approved is what redirects serve.
 */

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { json, startTestService, type TestService } from "../support/service.js";

interface Item {
  id: number;
  title: string;
  body: string;
  url: string | null;
  narratives: string[];
  lang: string;
  status: string;
}

describe("counter drafts edited, keywords normalised", () => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ workers: false });
  });
  after(async () => {
    await t?.close();
  });

  test("a draft is edited by its organisation only, and only while a draft", async () => {
    const created = await t.call(t.keys.b.admin, {
      method: "POST",
      url: "/v1/counter/items",
      payload: {
        kind: "url",
        title: "Old title",
        url: "https://example.org/a",
        narratives: ["victimhood"],
        lang: "ar",
        tlp: "CLEAR",
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = json<Item>(created).id;
    const patch = (key: string, payload: unknown) =>
      t.call(key, { method: "PATCH", url: `/v1/counter/items/${id}`, payload: payload as Record<string, unknown> });

    const edited = await patch(t.keys.b.admin, {
      title: "عنوان جديد",
      narratives: ["caliphate-utopia", "belonging"],
      url: "https://example.org/b",
    });
    assert.equal(edited.statusCode, 200, edited.body);
    const item = json<Item>(edited);
    assert.equal(item.title, "عنوان جديد");
    assert.deepEqual(item.narratives, ["caliphate-utopia", "belonging"]);
    assert.equal(item.url, "https://example.org/b");
    assert.equal(item.lang, "ar", "fields not sent keep their value");
    assert.equal(item.status, "draft");

    // Precise refusals.
    const bad = await patch(t.keys.b.admin, { url: "ftp://example.org/x" });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.body, /only http and https/);
    const noUrl = await patch(t.keys.b.admin, { url: "" });
    assert.equal(noUrl.statusCode, 400, noUrl.body);
    assert.match(noUrl.body, /a url item needs the URL/);
    const empty = await patch(t.keys.b.admin, {});
    assert.equal(empty.statusCode, 400, empty.body);
    const unknown = await patch(t.keys.b.admin, { colour: "red" });
    assert.equal(unknown.statusCode, 400, unknown.body);
    // A reader may not; another organisation does not see a TLP:CLEAR draft as its own.
    assert.equal((await patch(t.keys.b.reader, { title: "x" })).statusCode, 403);
    const other = await patch(t.keys.a.admin, { title: "x" });
    assert.ok(other.statusCode === 404 || other.statusCode === 403, other.body);
    assert.equal(
      json<Item>(await t.call(t.keys.b.admin, { method: "GET", url: `/v1/counter/items/${id}` })).title,
      "عنوان جديد",
    );

    // Approved: no longer editable.
    const approved = await t.call(t.keys.b.admin, { method: "POST", url: `/v1/counter/items/${id}/approve` });
    assert.equal(approved.statusCode, 200, approved.body);
    const late = await patch(t.keys.b.admin, { title: "Too late" });
    assert.equal(late.statusCode, 409, late.body);
    assert.match(late.body, /only a draft can be edited/);
    // The edited item is what a redirect serves for its new narrative.
    await t.call(t.keys.b.admin, {
      method: "POST",
      url: "/v1/counter/keywords",
      payload: { narrative: "caliphate-utopia", phrases: ["دولة الخلافة"] },
    });
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/redirect",
      payload: { query: "أخبار دولة الخلافة" },
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.ok(
      json<{ items: { item: { id: number; title: string } }[] }>(r).items.some(
        (x) => x.item.id === id && x.item.title === "عنوان جديد",
      ),
      r.body,
    );
  });

  test("keywords carry the Arabic-normalised form they are matched as", async () => {
    const added = await t.call(t.keys.b.admin, {
      method: "POST",
      url: "/v1/counter/keywords",
      payload: { narrative: "religious-legitimacy", phrases: ["أميرُ المؤمنين", "BAYAH"] },
    });
    assert.equal(added.statusCode, 201, added.body);
    const list = json<{ keywords: { phrase: string; normalized: string }[] }>(
      await t.call(t.keys.c.reader, { method: "GET", url: "/v1/counter/keywords" }),
    ).keywords;
    const amir = list.find((k) => k.phrase === "أميرُ المؤمنين")!;
    assert.equal(amir.normalized, "امير المومنين");
    assert.equal(list.find((k) => k.phrase === "BAYAH")!.normalized, "bayah");
  });
});
