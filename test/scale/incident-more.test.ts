/**
 * The crisis protocol's remaining promises (issue 20; docs/crisis.md, decision 0035), against a
 * real service with its workers and real media (sharp, FFmpeg, the shared sample videos):
 * - declaring with the first artefacts as files (multipart), hashed as submissions are, and
 *   bad declarations refused precisely with nothing written;
 * - a re-encoded video (vPDQ) and a near-duplicate text matched and proposed as variants, and a
 *   further near-duplicate joining the text proposal's cluster instead of a new proposal;
 * - no incident alert to a disabled webhook endpoint (neither queued nor, if disabled since, sent);
 * - a drill's items left out of every real figure (activity, measurement, transparency report,
 *   a real incident's debrief), and marked as an exercise in the API and webhooks.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { webhookOrigin } from "../../src/core/webhook-endpoints.js";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { needsFfmpeg } from "../support/ffmpeg.js";
import { detailedPng } from "../support/images.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { json, startTestService, type TestService } from "../support/service.js";
import { THREATEXCHANGE, needsShared } from "../support/shared.js";

const VIDEOS = join(THREATEXCHANGE, "tmk/sample-videos");
const skip = needsShared || needsFfmpeg;

interface Part {
  readonly name: string;
  readonly value: string | Buffer;
  readonly filename?: string;
  readonly type?: string;
}

function form(parts: readonly Part[]) {
  const boundary = "----rasdmore" + randomBytes(6).toString("hex");
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head =
      p.filename !== undefined
        ? `content-disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\ncontent-type: ${p.type ?? "application/octet-stream"}`
        : `content-disposition: form-data; name="${p.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`), Buffer.from(p.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TEXT =
  "The soldiers of the caliphate call every young man to leave his family and his country, to come to the land " +
  "of honour where the brothers wait, to carry arms and to make the hijra now before the doors close for ever.";
const NEAR_TEXT = TEXT.replace("every young man", "each young man");
const NEARER_TEXT = NEAR_TEXT.replace("before the doors close", "before the gates close");

let db: TestDatabase;
let api: TestService;
let work: string;
const receivers: Receiver[] = [];

before(async () => {
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), "rasd-incident-more-"));
  db = sqliteDatabase();
  api = await startTestService({ db, env: { RASD_WEBHOOK_ALLOW_PRIVATE: "1" } });
  // Members A and C each have a rule that acts on every match by webhook.
  for (const key of [api.keys.a.admin, api.keys.c.admin]) {
    const r = await startReceiver();
    receivers.push(r);
    const rule = await api.call(key, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "all-matches", conditions: {}, actions: [{ type: "webhook", url: r.url }] },
    });
    assert.equal(rule.statusCode, 201, rule.body);
  }
});

after(async () => {
  if (skip) return;
  for (const r of receivers) await r.close();
  await api?.close();
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

async function submit(key: string, parts: readonly Part[] | { text: string }, idem: string) {
  const body = Array.isArray(parts) ? form(parts) : undefined;
  const res = body
    ? await api.call(key, {
        method: "POST",
        url: "/v1/content",
        payload: body.payload,
        headers: { ...body.headers, "idempotency-key": idem },
      })
    : await api.call(key, {
        method: "POST",
        url: "/v1/content",
        payload: parts,
        headers: { "idempotency-key": idem },
      });
  assert.equal(res.statusCode, 202, res.body);
  const id = json<{ id: number }>(res).id;
  let item: { status: string; matches: { bankId: number; type: string }[] } | undefined;
  await until(`item ${id} processed`, async () => {
    item = json(await api.call(key, { method: "GET", url: `/v1/content/${id}` }));
    return ["done", "failed", "action_failed"].includes(item!.status);
  });
  return { id, ...item! };
}

describe("the crisis protocol, more", { skip }, () => {
  let incidentId = 0;
  let bankId = 0;
  let image: Buffer;
  const chair = () => readFileSync(join(VIDEOS, "chair-19-sd-bar.mp4"));

  test("declaring with the first artefacts as files: hashed as submissions are; bad input refused, nothing written", async () => {
    image = await sharp(await detailedPng(23, 480))
      .jpeg({ quality: 90 })
      .toBuffer();
    const before = (await api.s.incidents.list()).length;
    // Refused precisely, and nothing declared.
    const refusals: [Part[], number, RegExp][] = [
      [
        [
          { name: "tier", value: "1" },
          { name: "title", value: "x" },
          { name: "document", value: image, filename: "a.pdf" },
        ],
        400,
        /name it "image" or "video"/,
      ],
      [
        [
          { name: "tier", value: "4" },
          { name: "title", value: "x" },
        ],
        400,
        /tier: 1, 2 or 3/,
      ],
      [[{ name: "tier", value: "1" }], 400, /title: required/],
      [
        [
          { name: "tier", value: "1" },
          { name: "title", value: "x" },
          { name: "image", value: Buffer.from("not an image at all"), filename: "a.jpg", type: "image/jpeg" },
        ],
        400,
        /file 1 \(image\)/,
      ],
      [
        [
          { name: "tier", value: "1" },
          { name: "title", value: "x" },
          { name: "signal", value: "pdq:nothex" },
        ],
        400,
        /artefact 1/,
      ],
      [
        [
          { name: "tier", value: "1" },
          { name: "title", value: "x" },
          { name: "colour", value: "red" },
        ],
        400,
        /unknown field "colour"/,
      ],
    ];
    for (const [parts, status, message] of refusals) {
      const r = await api.call(api.keys.b.admin, { method: "POST", url: "/v1/incidents", ...form(parts) });
      assert.equal(r.statusCode, status, r.body);
      assert.match(json<{ error: { message: string } }>(r).error.message, message);
    }
    const noBody = await api.call(api.keys.b.admin, { method: "POST", url: "/v1/incidents" });
    assert.equal(noBody.statusCode, 400, noBody.body);
    assert.match(noBody.body, /send JSON \{tier, title/);
    // Only a government organisation's admin declares, files or not.
    const platform = await api.call(api.keys.a.admin, {
      method: "POST",
      url: "/v1/incidents",
      ...form([
        { name: "tier", value: "1" },
        { name: "title", value: "x" },
        { name: "image", value: image, filename: "a.jpg", type: "image/jpeg" },
      ]),
    });
    assert.equal(platform.statusCode, 403, platform.body);
    assert.equal((await api.s.incidents.list()).length, before);

    const declared = await api.call(api.keys.b.admin, {
      method: "POST",
      url: "/v1/incidents",
      ...form([
        { name: "tier", value: "2" },
        { name: "title", value: "Claim video and stills" },
        { name: "description", value: "Released after the attack" },
        { name: "image", value: image, filename: "still.jpg", type: "image/jpeg" },
        { name: "video", value: chair(), filename: "claim.mp4", type: "video/mp4" },
        { name: "signal", value: `text:${TEXT}` },
        { name: "url", value: "https://example.org/claim/1" },
      ]),
    });
    assert.equal(declared.statusCode, 201, declared.body);
    const incident = json<{ id: number; bank_id: number; drill: boolean; tier: number }>(declared);
    assert.equal(incident.tier, 2);
    assert.equal(incident.drill, false);
    incidentId = incident.id;
    bankId = incident.bank_id;
    const signals = await api.s.store.listSignals(bankId, { limit: 100 });
    const of = (type: string) => signals.filter((x) => x.type === type).map((x) => x.value);
    assert.deepEqual(of("pdq"), [(await pdqHashImageBytes(image)).hash]);
    assert.ok(of("md5").includes(createHash("md5").update(image).digest("hex")));
    assert.ok(of("md5").includes(createHash("md5").update(chair()).digest("hex")));
    assert.equal(of("vpdq").length, 1);
    assert.ok(of("vpdq")[0]!.length > 100);
    assert.equal(of("video_md5").length, 1);
    assert.equal(of("text").length, 1);
    assert.equal(of("url").length, 1);
    // Each shared artefact is a hash_shared event.
    const shared = (await api.s.stores.incidents.events(incidentId)).filter((e) => e.kind === "hash_shared");
    assert.equal(shared.length, signals.length);
  });

  test(
    "a re-encoded video (vPDQ) and a near-duplicate text are matched, clustered and proposed",
    { timeout: 240_000 },
    async () => {
      assert.ok(incidentId, "the declaration test ran first");
      // The worker's indexes follow the new bank (they poll the change cursor).
      await new Promise((r) => setTimeout(r, 1500));
      const reencoded = join(work, "reencoded.mp4");
      execFileSync("ffmpeg", [
        "-v",
        "error",
        "-i",
        join(VIDEOS, "chair-19-sd-bar.mp4"),
        "-vf",
        "scale=iw*3/4:-2",
        "-c:v",
        "libx264",
        "-crf",
        "32",
        "-an",
        reencoded,
      ]);
      const video = await submit(
        api.keys.a.submitter,
        [{ name: "video", value: readFileSync(reencoded), filename: "v.mp4", type: "video/mp4" }],
        "video-1",
      );
      assert.equal(video.status, "done", JSON.stringify(video));
      assert.ok(
        video.matches.some((m) => m.bankId === bankId && m.type === "vpdq"),
        `the re-encoded video matches the incident's vPDQ: ${JSON.stringify(video.matches)}`,
      );
      const text1 = await submit(api.keys.c.submitter, { text: NEAR_TEXT }, "text-1");
      assert.ok(
        text1.matches.some((m) => m.bankId === bankId && m.type === "text"),
        JSON.stringify(text1.matches),
      );
      const text2 = await submit(api.keys.a.submitter, { text: NEARER_TEXT }, "text-2");
      assert.ok(
        text2.matches.some((m) => m.bankId === bankId && m.type === "text"),
        JSON.stringify(text2.matches),
      );
      // The same re-encoded video from another member: the vPDQ proposal's cluster, not a new one.
      const again = await submit(
        api.keys.c.submitter,
        [{ name: "video", value: readFileSync(reencoded), filename: "w.mp4", type: "video/mp4" }],
        "video-2",
      );
      assert.equal(again.status, "done");

      type V = { id: number; type: string; value: string; seen: number; org_id: number; similarity: number | null };
      let variants: V[] = [];
      await until("the variants", async () => {
        const r = await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incidentId}/variants` });
        variants = json<{ variants: V[] }>(r).variants;
        return (
          variants.filter((v) => v.type === "text").some((v) => v.seen >= 2) &&
          variants.some((v) => v.type === "vpdq" && v.seen >= 2)
        );
      });
      const vpdq = variants.filter((v) => v.type === "vpdq");
      assert.equal(vpdq.length, 1, JSON.stringify(vpdq));
      assert.equal(vpdq[0]!.org_id, api.orgs.a.id);
      assert.equal(vpdq[0]!.seen, 2);
      const text = variants.filter((v) => v.type === "text");
      assert.equal(text.length, 1, JSON.stringify(text));
      assert.equal(text[0]!.value, NEAR_TEXT);
      assert.equal(text[0]!.org_id, api.orgs.c.id);
      assert.ok(text[0]!.similarity! < 1 && text[0]!.similarity! > 0, String(text[0]!.similarity));
      assert.equal(text[0]!.seen, 2);
      // An exact copy of the declared image is a match, not a variant.
      const copy = await submit(
        api.keys.a.submitter,
        [{ name: "image", value: image, filename: "c.jpg", type: "image/jpeg" }],
        "copy-1",
      );
      assert.ok(copy.matches.some((m) => m.bankId === bankId));
      await api.drain();
      const after = json<{ variants: V[] }>(
        await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incidentId}/variants` }),
      ).variants;
      assert.equal(after.filter((v) => v.type === "pdq").length, 0);
      // Accepting the vPDQ variant makes it a signal of the incident bank.
      const accepted = await api.call(api.keys.b.admin, {
        method: "POST",
        url: `/v1/incidents/${incidentId}/variants/${vpdq[0]!.id}/accept`,
      });
      assert.equal(accepted.statusCode, 200, accepted.body);
      const signals = await api.s.store.listSignals(bankId, { limit: 100 });
      assert.equal(signals.filter((x) => x.type === "vpdq").length, 2);
    },
  );

  test("no incident alert goes to a disabled webhook endpoint", { timeout: 120_000 }, async () => {
    const [ra, rc] = receivers as [Receiver, Receiver];
    // C's endpoint is disabled (one failure disables it under this policy).
    const disabled = await api.s.stores.endpoints.recordOutcomes(
      [
        {
          endpoint: { orgId: api.orgs.c.id, origin: webhookOrigin(rc.url) },
          ok: false,
          error: "HTTP 500",
          at: Date.now(),
        },
      ],
      { failures: 1, minMs: 0 },
    );
    assert.equal(disabled.length, 1);
    const cBefore = rc.received.length;
    const declared = await api.call(api.keys.b.admin, {
      method: "POST",
      url: "/v1/incidents",
      payload: { tier: 3, title: "Threat seen by one member", signals: [{ type: "md5", value: "0".repeat(31) + "1" }] },
    });
    assert.equal(declared.statusCode, 201, declared.body);
    const id = json<{ id: number }>(declared).id;
    await until("A's alert", () => ra.received.some((x) => x.body.includes(`"incident":{"id":${id},`)));
    const alerts = await api.s.stores.incidents.alerts(id);
    assert.deepEqual(
      alerts.map((a) => a.orgId),
      [api.orgs.a.id],
      "queued to A only: C's endpoint is disabled, B has no webhook",
    );
    // An alert queued before its endpoint was disabled is not sent, and not retried.
    await api.s.stores.incidents.queueAlerts([
      {
        incidentId: id,
        orgId: api.orgs.c.id,
        event: "incident.updated",
        deliveryId: `inc_${id}_test_c`,
        target: rc.url,
        ruleId: (await api.s.stores.rules.list(api.orgs.c.id))[0]!.id,
        actionIndex: 0,
        payload: JSON.stringify({ type: "incident.updated", data: { incident: { id, tier: 3 } } }),
        createdAt: Date.now(),
      },
    ]);
    api.s.deliverer.wakeAlerts();
    await until("the held alert is settled", async () =>
      (await api.s.stores.incidents.alerts(id)).some((a) => a.orgId === api.orgs.c.id && a.status === "dead"),
    );
    const dead = (await api.s.stores.incidents.alerts(id)).find((a) => a.orgId === api.orgs.c.id)!;
    assert.match(dead.lastError ?? "", /disabled/);
    assert.equal(
      rc.received.slice(cBefore).filter((x) => x.body.includes(`"incident":{"id":${id},`)).length,
      0,
      "nothing of this incident was sent to C's disabled endpoint",
    );
    // Enabled again: the next alert reaches C.
    const endpoint = (await api.s.stores.endpoints.list(api.orgs.c.id)).find((e) => e.state === "disabled")!;
    await api.s.stores.endpoints.enable(endpoint.id, Date.now());
    const closed = await api.call(api.keys.b.admin, { method: "POST", url: `/v1/incidents/${id}/close`, payload: {} });
    assert.equal(closed.statusCode, 200, closed.body);
    await until("C's closing alert", () =>
      rc.received.some((x) => x.body.includes("incident.closed") && x.body.includes(`"incident":{"id":${id},`)),
    );
  });

  test(
    "a drill's items are in no real figure, and the drill is marked as an exercise",
    { timeout: 180_000 },
    async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const to = new Date(Date.now() + 3_600_000).toISOString();
      const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      const figures = async () => {
        const get = async (url: string) => {
          const r = await api.call(api.keys.a.admin, { method: "GET", url });
          assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
          return strip(JSON.parse(r.body));
        };
        return {
          activity: await get(`/v1/stats/activity?${q}&interval=hour`),
          stance: await get(`/v1/measure/stance?${q}`),
          takedown: await get(`/v1/measure/takedown?${q}`),
          reuploads: await get(`/v1/measure/reuploads?${q}`),
          hits: await get(`/v1/measure/signal-hits?${q}`),
          report: await get(`/v1/reports/transparency?${q}`),
        };
      };
      // A real incident, for its debrief.
      const realImage = await sharp(await detailedPng(41, 400))
        .jpeg({ quality: 90 })
        .toBuffer();
      const real = json<{ id: number }>(
        await api.call(api.keys.b.admin, {
          method: "POST",
          url: "/v1/incidents",
          ...form([
            { name: "tier", value: "1" },
            { name: "title", value: "Real incident" },
            { name: "image", value: realImage, filename: "r.jpg", type: "image/jpeg" },
          ]),
        }),
      );
      // The drill, with its own artefact.
      const drillImage = await sharp(await detailedPng(42, 400))
        .jpeg({ quality: 90 })
        .toBuffer();
      const drillAt = receivers[0]!.received.length;
      const declared = await api.call(api.keys.b.admin, {
        method: "POST",
        url: "/v1/incidents",
        ...form([
          { name: "tier", value: "1" },
          { name: "title", value: "Exercise: attack livestream" },
          { name: "drill", value: "true" },
          { name: "image", value: drillImage, filename: "d.jpg", type: "image/jpeg" },
        ]),
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const drill = json<{ id: number; drill: boolean; bank: string; bank_id: number }>(declared);
      // Marked in the API and in the webhooks.
      assert.equal(drill.drill, true);
      assert.match(drill.bank, /^exercise-/);
      const listed = json<{ incidents: { id: number; drill: boolean }[] }>(
        await api.call(api.keys.c.reader, { method: "GET", url: "/v1/incidents?status=active" }),
      ).incidents;
      assert.equal(listed.find((i) => i.id === drill.id)?.drill, true);
      assert.equal(listed.find((i) => i.id === real.id)?.drill, false);
      await until("the drill's alert", () =>
        receivers[0]!.received.slice(drillAt).some((x) => x.body.includes(`"incident":{"id":${drill.id},`)),
      );
      const alert = JSON.parse(
        receivers[0]!.received.slice(drillAt).find((x) => x.body.includes(`"incident":{"id":${drill.id},`))!.body,
      ) as { drill: boolean; data: { incident: { drill: boolean } } };
      assert.equal(alert.drill, true);
      assert.equal(alert.data.incident.drill, true);
      await new Promise((r) => setTimeout(r, 1500));
      await api.drain();

      const before = await figures();
      // Member A uploads the drill's artefact twice: matched in the drill, acted on by its rule.
      for (const n of [1, 2]) {
        const item = await submit(
          api.keys.a.submitter,
          [{ name: "image", value: drillImage, filename: `d${n}.jpg`, type: "image/jpeg" }],
          `drill-${n}`,
        );
        assert.ok(
          item.matches.some((m) => m.bankId === drill.bank_id),
          JSON.stringify(item.matches),
        );
      }
      await api.drain();
      await until(
        "the drill's matches",
        async () => (await api.s.stores.incidents.events(drill.id)).filter((e) => e.kind === "match").length === 2,
      );
      const drillDebrief = json<{ matched_copies: number; incident: { drill: boolean } }>(
        await api.call(api.keys.b.admin, { method: "GET", url: `/v1/incidents/${drill.id}/debrief` }),
      );
      assert.equal(drillDebrief.matched_copies, 2, "the drill's own debrief counts its copies");
      assert.equal(drillDebrief.incident.drill, true);
      const html = await api.call(api.keys.b.admin, { method: "GET", url: `/v1/incidents/${drill.id}/debrief.html` });
      assert.match(html.body, /EXERCISE|Exercise/);

      // Every real figure is as it was.
      const during = await figures();
      for (const k of Object.keys(before) as (keyof typeof before)[])
        assert.deepEqual(during[k], before[k], `${k}: the drill's items changed a real figure`);
      const realDebrief = json<{ matched_copies: number }>(
        await api.call(api.keys.b.admin, { method: "GET", url: `/v1/incidents/${real.id}/debrief` }),
      );
      assert.equal(realDebrief.matched_copies, 0);

      // A real copy does change them (the comparison can fail).
      const item = await submit(
        api.keys.a.submitter,
        [{ name: "image", value: realImage, filename: "r1.jpg", type: "image/jpeg" }],
        "real-1",
      );
      assert.ok(item.matches.length > 0);
      await api.drain();
      await until("the real match", async () =>
        (await api.s.stores.incidents.events(real.id)).some((e) => e.kind === "match"),
      );
      const later = await figures();
      assert.notDeepEqual(later.activity, before.activity, "a real item is counted in the activity");
      assert.notDeepEqual(later.takedown, before.takedown, "a real item is counted in the takedown figures");
      assert.equal(
        json<{ matched_copies: number }>(
          await api.call(api.keys.b.admin, { method: "GET", url: `/v1/incidents/${real.id}/debrief` }),
        ).matched_copies,
        1,
      );
    },
  );
});

/** A figure without the moment it was computed (generated_at and the like). */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !/generated|computed|elapsed/.test(k))
        .map(([k, v]) => [k, strip(v)]),
    );
  return value;
}
