/**
 * TAXII 2.1 as a client walks it: discovery, the API root, collections (the banks the key may
 * see, nothing of another member's AMBER+STRICT bank), objects with added_after, limit/next
 * paging and match filters, the manifest, one object and its versions — every answer in
 * TAXII's media type, every Indicator valid STIX 2.1 with the bank's TLP marking.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { json, startTestService, type TestService } from "../support/service.js";

const TAXII = "application/taxii+json;version=2.1";
let t: TestService;

before(async () => {
  t = await startTestService({ workers: false });
});
after(async () => {
  await t?.close();
});

interface Collection {
  id: string;
  title: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
}
interface Envelope {
  more: boolean;
  next?: string;
  objects: {
    id: string;
    type: string;
    pattern: string;
    revoked?: boolean;
    modified: string;
    object_marking_refs: string[];
  }[];
}

const get = async <T>(key: string | undefined, url: string, accept = TAXII) => {
  const r = await t.call(key, { method: "GET", url, headers: { accept } });
  return { r, body: r.statusCode === 200 ? json<T>(r) : undefined };
};

describe("TAXII 2.1", () => {
  let green: number;
  let strict: number;
  let greenCollection: string;

  before(async () => {
    const make = async (name: string, tlp: string) => {
      const r = await t.call(t.keys.b.curator, { method: "POST", url: "/v1/banks", payload: { name, tlp } });
      assert.equal(r.statusCode, 201, r.body);
      return json<{ id: number }>(r).id;
    };
    green = await make("taxii-green", "GREEN");
    strict = await make("taxii-strict", "AMBER+STRICT");
    const add = (bank: number, hosts: string[]) =>
      t.call(t.keys.b.curator, {
        method: "POST",
        url: `/v1/banks/${bank}/signals`,
        payload: { signals: hosts.map((value) => ({ type: "domain", value })) },
      });
    await add(green, ["t1.example", "t2.example", "t3.example", "t4.example", "t5.example"]);
    await add(strict, ["secret.example"]);
  });

  it("discovery and the API root, in TAXII's media type", async () => {
    const d = await get<{ default: string; api_roots: string[] }>(t.keys.a.reader, "/taxii2/");
    assert.equal(d.r.statusCode, 200);
    assert.equal(d.r.headers["content-type"], TAXII);
    assert.deepEqual(d.body!.api_roots, ["/taxii2/api/"]);
    const root = await get<{ versions: string[] }>(t.keys.a.reader, "/taxii2/api/");
    assert.deepEqual(root.body!.versions, [TAXII]);
    const html = await get(t.keys.a.reader, "/taxii2/", "text/html");
    assert.equal(html.r.statusCode, 406);
    assert.equal((await get(undefined, "/taxii2/")).r.statusCode, 401);
  });

  it("collections are the banks the key may see, read-only", async () => {
    const a = await get<{ collections: Collection[] }>(t.keys.a.reader, "/taxii2/api/collections/");
    const titles = a.body!.collections.map((c) => c.title);
    assert.ok(titles.includes("Government B/taxii-green"), titles.join(", "));
    assert.ok(!titles.includes("Government B/taxii-strict"), "another member's AMBER+STRICT bank is not a collection");
    const c = a.body!.collections.find((x) => x.title === "Government B/taxii-green")!;
    assert.deepEqual([c.can_read, c.can_write, c.media_types], [true, false, ["application/stix+json;version=2.1"]]);
    greenCollection = c.id;
    const one = await get<Collection>(t.keys.a.reader, `/taxii2/api/collections/${c.id}/`);
    assert.equal(one.body!.id, c.id);
    const b = await get<{ collections: Collection[] }>(t.keys.b.reader, "/taxii2/api/collections/");
    const hidden = b.body!.collections.find((x) => x.title === "Government B/taxii-strict")!;
    assert.equal((await get(t.keys.a.reader, `/taxii2/api/collections/${hidden.id}/objects/`)).r.statusCode, 404);
  });

  it("objects page by limit and next, filter by added_after and match[id]; retractions are revoked", async () => {
    const url = `/taxii2/api/collections/${greenCollection}/objects/`;
    const seen: Envelope["objects"] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await get<Envelope>(t.keys.a.reader, `${url}?limit=2${next ? `&next=${next}` : ""}`);
      assert.equal(page.r.statusCode, 200, page.r.body);
      assert.ok(page.r.headers["x-taxii-date-added-first"]);
      seen.push(...page.body!.objects);
      next = page.body!.more ? page.body!.next : undefined;
      pages++;
    } while (next);
    assert.equal(pages, 3);
    // A page that holds the rest exactly says there is no more (no empty last page).
    const exact = await get<Envelope>(t.keys.a.reader, `${url}?limit=5`);
    assert.deepEqual([exact.body!.objects.length, exact.body!.more, exact.body!.next], [5, false, undefined]);
    const four = await get<Envelope>(t.keys.a.reader, `${url}?limit=4`);
    assert.deepEqual([four.body!.objects.length, four.body!.more], [4, true]);
    const rest = await get<Envelope>(t.keys.a.reader, `${url}?limit=4&next=${four.body!.next}`);
    assert.deepEqual([rest.body!.objects.length, rest.body!.more], [1, false]);
    assert.deepEqual(
      seen.map((o) => o.pattern).sort(),
      [1, 2, 3, 4, 5].map((i) => `[domain-name:value = 't${i}.example']`),
    );
    assert.ok(seen.every((o) => o.type === "indicator" && o.object_marking_refs[0]!.includes("bab4a63c")));

    // A retraction later: added_after the last poll shows it, revoked, and nothing else.
    const lastPoll = seen
      .map((o) => o.modified)
      .sort()
      .at(-1)!;
    await new Promise((r) => setTimeout(r, 5));
    const signals = json<{ signals: { id: number; value: string }[] }>(
      await t.call(t.keys.b.reader, { method: "GET", url: `/v1/banks/${green}/signals` }),
    ).signals;
    const gone = signals.find((s) => s.value === "t2.example")!;
    assert.equal((await t.call(t.keys.b.curator, { method: "DELETE", url: `/v1/signals/${gone.id}` })).statusCode, 200);
    const since = await get<Envelope>(t.keys.a.reader, `${url}?added_after=${lastPoll}`);
    assert.deepEqual(
      since.body!.objects.map((o) => [o.pattern, o.revoked]),
      [["[domain-name:value = 't2.example']", true]],
    );

    const target = seen[0]!.id;
    const byId = await get<Envelope>(t.keys.a.reader, `${url}?match[id]=${target}`);
    assert.deepEqual(
      byId.body!.objects.map((o) => o.id),
      [target],
    );
    const noType = await get<Envelope>(t.keys.a.reader, `${url}?match[type]=malware`);
    assert.deepEqual(noType.body!.objects, []);
    assert.equal((await get(t.keys.a.reader, `${url}?added_after=yesterday`)).r.statusCode, 400);
    assert.equal((await get(t.keys.a.reader, `${url}?next=abc`)).r.statusCode, 400);

    const one = await get<Envelope>(t.keys.a.reader, `${url}${target}/`);
    assert.deepEqual(
      one.body!.objects.map((o) => o.id),
      [target],
    );
    const versions = await get<{ versions: string[] }>(t.keys.a.reader, `${url}${target}/versions/`);
    assert.equal(versions.body!.versions.length, 1);
    const missing = await get(t.keys.a.reader, `${url}indicator--00000000-0000-4000-8000-000000000000/`);
    assert.equal(missing.r.statusCode, 404);
    // TAXII 2.1 §3.6.1: errors are TAXII's error message resource, in TAXII's media type.
    assert.equal(missing.r.headers["content-type"], TAXII);
    assert.deepEqual(json(missing.r), {
      title: "Not Found",
      description: `no object indicator--00000000-0000-4000-8000-000000000000 in collection ${greenCollection}`,
      error_code: "not_found",
      http_status: "404",
    });
    const anonymous = await get(undefined, url);
    assert.equal(anonymous.r.headers["content-type"], TAXII);
    assert.deepEqual(
      [
        json<{ title: string; http_status: string }>(anonymous.r).title,
        json<{ http_status: string }>(anonymous.r).http_status,
      ],
      ["Unauthorized", "401"],
    );

    const manifest = await get<{ objects: { id: string; version: string; media_type: string }[] }>(
      t.keys.a.reader,
      `/taxii2/api/collections/${greenCollection}/manifest/`,
    );
    assert.equal(manifest.body!.objects.length, 5);
    assert.ok(manifest.body!.objects.every((m) => m.media_type === "application/stix+json;version=2.1"));

    // TAXII 2.1 §5.3, 5.6, 5.8: the manifest, one object and its versions say their date_added
    // range too (OASIS's taxii2-client and medallion read and send them on all four).
    const manifestDates = manifest.body!.objects.map((m) => m.version).sort();
    assert.equal(manifest.r.headers["x-taxii-date-added-first"], manifestDates[0]);
    assert.equal(manifest.r.headers["x-taxii-date-added-last"], manifestDates.at(-1));
    const oneModified = one.body!.objects[0]!.modified;
    assert.equal(one.r.headers["x-taxii-date-added-first"], oneModified);
    assert.equal(one.r.headers["x-taxii-date-added-last"], oneModified);
    assert.equal(versions.r.headers["x-taxii-date-added-last"], oneModified);

    // match[version]: an object's one version is first, last and all, and its own timestamp;
    // match[spec_version]: everything here is 2.1.
    const count = async (query: string) =>
      (await get<Envelope>(t.keys.a.reader, `${url}?${query}`)).body!.objects.length;
    assert.equal(await count("match[version]=last"), 5);
    assert.equal(await count("match[version]=first,all"), 5);
    assert.equal(await count(`match[version]=${oneModified}&match[id]=${target}`), 1);
    assert.equal(await count(`match[version]=2001-01-01T00:00:00.000Z&match[id]=${target}`), 0);
    assert.equal(await count("match[spec_version]=2.0,2.1"), 5);
    assert.equal(await count("match[spec_version]=2.0"), 0);
  });
});
