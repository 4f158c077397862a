/**
 * Hash – match – act end to end through the API: submissions of text, URLs, images and
 * videos; action rules firing signed webhooks (verified with the standardwebhooks library),
 * review entries and decisions; retries, the dead letter and redelivery; timestamps and
 * time-to-action figures.
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { formatVpdqLine, vpdqHashVideoFile } from "../../src/signals/vpdq/hash-video.js";
import { needsFfmpeg } from "../support/ffmpeg.js";
import { startReceiver, type Receiver } from "../support/receiver.js";
import { detailedPng } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

const PROPAGANDA_AR = "انضموا إلى صفوف دولة الخلافة الآن فالهجرة واجبة على كل مسلم قادر على ذلك";

interface Item {
  id: number;
  status: string;
  error: string | null;
  hashes: Record<string, unknown>;
  matches: { bankId: number; type: string; distance?: number; similarity?: number }[];
  actions: { id: number; type: string; status: string; delivery_id: string; attempts: number }[];
  timestamps: Record<"received_at" | "hashed_at" | "matched_at" | "acted_at", string | null>;
}

function multipart(field: string, filename: string, bytes: Buffer, fields: Record<string, string> = {}) {
  const boundary = "----rasdtest" + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { "content-type": `multipart/form-data; boundary=${boundary}` } };
}

describe("hash – match – act through the API", () => {
  let t: TestService;
  let hook: Receiver;
  let secret: string;
  let bankId: number;
  let key = 0;

  const submit = async (body: Record<string, unknown>) => {
    const r = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: body,
      headers: { "idempotency-key": `k-${++key}` },
    });
    assert.equal(r.statusCode, 202, r.body);
    return json<{ id: number }>(r).id;
  };
  const item = async (id: number): Promise<Item> =>
    json<Item>(await t.call(t.keys.a.reader, { method: "GET", url: `/v1/content/${id}` }));

  before(async () => {
    t = await startTestService();
    hook = await startReceiver();
    // Government B shares a GREEN bank with every member.
    const bank = await t.call(t.keys.b.curator, {
      method: "POST",
      url: "/v1/banks",
      payload: { name: "isis-core", tlp: "GREEN", description: "shared with all" },
    });
    assert.equal(bank.statusCode, 201, bank.body);
    bankId = json<{ id: number }>(bank).id;
    const added = await t.call(t.keys.b.curator, {
      method: "POST",
      url: `/v1/banks/${bankId}/signals`,
      payload: {
        signals: [
          {
            type: "text",
            value: PROPAGANDA_AR,
            labels: { entity: ["isis"], behaviour: ["recruitment"], language: ["ar"] },
          },
          { type: "url", value: "https://justpaste.it/example-release", labels: { entity: ["isis"] } },
          { type: "pdq", value: (await pdqHashImageBytes(await detailedPng(7))).hash, labels: { entity: ["isis"] } },
        ],
      },
    });
    assert.equal(added.statusCode, 200, added.body);
    assert.equal(json<{ created: number }>(added).created, 3);
    // Platform A's rule: anything labelled isis → webhook, review queue, decision.
    const rule = await t.call(t.keys.a.admin, {
      method: "POST",
      url: "/v1/rules",
      payload: {
        name: "isis-to-trust-and-safety",
        conditions: { entity: ["isis"] },
        actions: [{ type: "webhook", url: hook.url }, { type: "review" }, { type: "decision", decision: "remove" }],
      },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    secret = json<{ webhook_secrets: Record<string, string> }>(rule).webhook_secrets["0"]!;
    assert.match(secret, /^whsec_/);
    // The secret is never shown again.
    const listed = await t.call(t.keys.a.admin, { method: "GET", url: "/v1/rules" });
    assert.ok(!listed.body.includes(secret));
  });

  after(async () => {
    await t.close();
    await hook.close();
  });

  test("a near-copy of a banked text is matched and acted on: signed webhook, review entry, decision, timestamps in order", async () => {
    const id = await submit({
      text: `${PROPAGANDA_AR} 🔥`,
      content_id: "post-1",
      author_id: "acct-9",
      posted_at: "2016-03-01T10:00:00Z",
    });
    await t.drain();
    const got = await item(id);
    assert.equal(got.status, "done", JSON.stringify(got));
    assert.equal(got.matches.length, 1);
    assert.equal(got.matches[0]!.bankId, bankId);
    assert.ok(got.matches[0]!.similarity! >= 0.5);
    assert.deepEqual(got.actions.map((a) => [a.type, a.status]).sort(), [
      ["decision", "done"],
      ["review", "done"],
      ["webhook", "delivered"],
    ]);
    const ts = Object.values(got.timestamps).map((v) => Date.parse(v!));
    assert.ok(
      ts.every((v, i) => i === 0 || v >= ts[i - 1]!),
      `timestamps out of order: ${JSON.stringify(got.timestamps)}`,
    );

    await hook.waitFor(1);
    const delivery = hook.received.at(-1)!;
    const payload = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as {
      type: string;
      data: { item: { id: number; content_id: string; author_id: string }; matches: unknown[]; rule: { name: string } };
    };
    assert.equal(payload.type, "content.matched");
    assert.equal(payload.data.item.id, id);
    assert.equal(payload.data.item.content_id, "post-1");
    assert.equal(payload.data.item.author_id, "acct-9");
    assert.equal(payload.data.rule.name, "isis-to-trust-and-safety");
    const webhookAction = got.actions.find((a) => a.type === "webhook")!;
    assert.equal(delivery.headers["webhook-id"], webhookAction.delivery_id);
    // A tampered body fails verification.
    assert.throws(() =>
      new Webhook(secret).verify(delivery.body.replace("post-1", "post-2"), delivery.headers as Record<string, string>),
    );

    const reviews = json<{ reviews: { item_id: number; id: number }[] }>(
      await t.call(t.keys.a.reviewer, { method: "GET", url: "/v1/reviews" }),
    );
    const entry = reviews.reviews.find((r) => r.item_id === id);
    assert.ok(entry, "a review entry was queued");
    const decided = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: `/v1/reviews/${entry.id}/decision`,
      payload: {
        decision: "violating",
        labels: { entity: ["isis"] },
        reasons: "a near-copy of banked recruitment text",
      },
    });
    assert.equal(decided.statusCode, 200, decided.body);
    const again = await t.call(t.keys.a.reviewer, {
      method: "POST",
      url: `/v1/reviews/${entry.id}/decision`,
      payload: {
        decision: "violating",
        labels: { entity: ["isis"] },
        reasons: "a near-copy of banked recruitment text",
      },
    });
    assert.equal(again.statusCode, 409);
  });

  test("a defanged link to a banked URL matches; unrelated text is done with no actions", async () => {
    const linked = await submit({ url: "hxxps://justpaste[.]it/example-release?utm_source=x" });
    const clean = await submit({ text: "The weather in Mosul is sunny today; markets reopened." });
    await t.drain();
    const a = await item(linked);
    assert.equal(a.status, "done");
    assert.equal(a.hashes.url, "justpaste.it/example-release");
    assert.ok(a.matches.some((m) => m.type === "url"));
    const b = await item(clean);
    assert.equal(b.status, "done");
    assert.deepEqual(b.matches, []);
    assert.deepEqual(b.actions, []);
    assert.equal(b.timestamps.acted_at, null);
  });

  test("an image is hashed with PDQ and matched at a small distance after re-encoding", async () => {
    const original = await detailedPng(7);
    const reencoded = await sharp(original).resize(200, 200).jpeg({ quality: 70 }).toBuffer();
    const body = multipart("image", "x.jpg", reencoded, { content_id: "img-1" });
    const r2 = await t.call(t.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: body.payload,
      headers: { ...body.headers, "idempotency-key": "img-1" },
    });
    assert.equal(r2.statusCode, 202, r2.body);
    await t.drain();
    const got = await item(json<{ id: number }>(r2).id);
    assert.equal(got.status, "done", JSON.stringify(got));
    assert.equal(got.hashes.pdq, (await pdqHashImageBytes(reencoded)).hash);
    const m = got.matches.find((x) => x.type === "pdq");
    assert.ok(m && m.distance! <= 31, JSON.stringify(got.matches));
  });

  test("a webhook that fails twice is retried with the same delivery id and then delivered", async () => {
    hook.script = [503, 503];
    const before = hook.received.length;
    const id = await submit({ text: PROPAGANDA_AR });
    await t.drain();
    const got = await item(id);
    const action = got.actions.find((a) => a.type === "webhook")!;
    assert.equal(action.status, "delivered");
    assert.equal(action.attempts, 3);
    const attempts = hook.received.slice(before);
    assert.equal(attempts.length, 3);
    assert.equal(new Set(attempts.map((a) => a.headers["webhook-id"])).size, 1);
    assert.equal(got.status, "done");
  });

  test("a webhook that keeps failing goes to the dead letter, and redelivery sends it again with the same id", async () => {
    hook.fallback = 500;
    const id = await submit({ text: PROPAGANDA_AR, content_id: "dead-1" });
    await t.drain(30_000);
    let got = await item(id);
    const action = got.actions.find((a) => a.type === "webhook")!;
    assert.equal(action.status, "dead");
    assert.equal(action.attempts, 8);
    assert.equal(got.status, "action_failed");
    assert.equal(got.timestamps.acted_at, null);
    const dead = json<{ actions: { id: number }[] }>(
      await t.call(t.keys.a.admin, { method: "GET", url: "/v1/actions?status=dead" }),
    );
    assert.ok(dead.actions.some((a) => a.id === action.id));

    hook.fallback = 204;
    const n = hook.received.length;
    const r = await t.call(t.keys.a.admin, { method: "POST", url: `/v1/actions/${action.id}/redeliver` });
    assert.equal(r.statusCode, 202, r.body);
    await t.drain();
    got = await item(id);
    assert.equal(got.actions.find((a) => a.type === "webhook")!.status, "delivered");
    assert.equal(got.status, "done");
    assert.ok(got.timestamps.acted_at);
    assert.equal(hook.received.length, n + 1);
    assert.equal(hook.received.at(-1)!.headers["webhook-id"], action.delivery_id);
    // A reader may not redeliver.
    const denied = await t.call(t.keys.a.reader, { method: "POST", url: `/v1/actions/${action.id}/redeliver` });
    assert.equal(denied.statusCode, 403);
  });

  test("time-to-action percentiles come from the API and /metrics", async () => {
    const stats = json<{
      items: number;
      matched_ms: { count: number; p50: number; p99: number };
      acted_ms: { count: number };
    }>(await t.call(t.keys.a.reader, { method: "GET", url: "/v1/stats/time-to-action" }));
    assert.ok(stats.items >= 5);
    assert.ok(stats.matched_ms.count >= 5);
    assert.ok(stats.matched_ms.p99 >= stats.matched_ms.p50);
    assert.ok(stats.acted_ms.count >= 3);
    const metrics = await t.call(t.keys.a.operator, { method: "GET", url: "/metrics" });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /rasd_time_to_step_seconds_bucket\{le="[0-9.]+",step="matched"\}/);
    assert.match(metrics.body, /rasd_content_submitted_total\{kind="text"\} \d+/);
    assert.match(metrics.body, /rasd_webhook_attempts_total\{result="dead"\} 1/);
  });

  test("a batch of items: each accepted or refused on its own, replays recognised", async () => {
    const batch = {
      items: [
        { idempotency_key: "batch-1", text: PROPAGANDA_AR, content_id: "b1" },
        { idempotency_key: "batch-2", url: "https://news.example.org/a" },
        { idempotency_key: "batch-3", url: "javascript:alert(1)" },
        { idempotency_key: "batch-4", content_id: "neither url nor text" },
      ],
    };
    const r = await t.call(t.keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: batch });
    assert.equal(r.statusCode, 202, r.body);
    const got = json<{ accepted: number; items: { id?: number; replay?: boolean; error?: { message: string } }[] }>(r);
    assert.equal(got.accepted, 2);
    assert.match(got.items[2]!.error!.message, /^items\[2\]\.url: /);
    assert.match(got.items[3]!.error!.message, /^items\[3\]: give "url" or "text"/);
    const again = json<{ items: { id?: number; replay?: boolean }[] }>(
      await t.call(t.keys.a.submitter, { method: "POST", url: "/v1/content/batch", payload: batch }),
    );
    assert.equal(again.items[0]!.id, got.items[0]!.id);
    assert.equal(again.items[0]!.replay, true);
    await t.drain();
    const first = await item(got.items[0]!.id!);
    assert.equal(first.status, "done");
    assert.equal(first.matches.length, 1);
  });

  test("a webhook carries no details of RED matches, only their number", async () => {
    const red = json<{ id: number }>(
      await t.call(t.keys.b.curator, {
        method: "POST",
        url: "/v1/banks",
        payload: { name: "named-only", tlp: "RED", reader_person_ids: [t.people.a.submitter] },
      }),
    );
    const secretText = "رسالة سرية للغاية عن خلية نائمة في المدينة القديمة قرب السوق الكبير";
    await t.call(t.keys.b.curator, {
      method: "POST",
      url: `/v1/banks/${red.id}/signals`,
      payload: { signals: [{ type: "text", value: secretText, labels: { entity: ["isis"] } }] },
    });
    hook.fallback = 204;
    const n = hook.received.length;
    const id = await submit({ text: secretText });
    await t.drain();
    await hook.waitFor(n + 1);
    const body = JSON.parse(hook.received.at(-1)!.body) as {
      data: { item: { id: number }; matches: unknown[]; red_matches: number };
    };
    assert.equal(body.data.item.id, id);
    assert.equal(body.data.red_matches, 1);
    assert.deepEqual(body.data.matches, []);
    assert.ok(!hook.received.at(-1)!.body.includes("named-only"));
  });

  test("an item of another organisation is not found", async () => {
    const id = await submit({ text: "private to platform A" });
    const r = await t.call(t.keys.b.admin, { method: "GET", url: `/v1/content/${id}` });
    assert.equal(r.statusCode, 404);
    assert.ok(!r.body.includes("private to platform A"));
  });

  test("a video is hashed with vPDQ and matched against a banked video", { skip: needsFfmpeg }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "rasd-video-test-"));
    try {
      const path = join(dir, "clip.mp4");
      execFileSync("ffmpeg", [
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc=duration=3:size=160x120:rate=10",
        "-pix_fmt",
        "yuv420p",
        path,
      ]);
      const banked = await vpdqHashVideoFile(path, { secondsPerHash: 0, threads: 0 });
      const added = await t.call(t.keys.b.curator, {
        method: "POST",
        url: `/v1/banks/${bankId}/signals`,
        payload: {
          signals: [
            { type: "vpdq", value: banked.frames.map(formatVpdqLine).join("\n"), labels: { entity: ["isis"] } },
          ],
        },
      });
      assert.equal(added.statusCode, 200, added.body);
      const body = multipart("video", "clip.mp4", readFileSync(path));
      const r = await t.call(t.keys.a.submitter, {
        method: "POST",
        url: "/v1/content",
        payload: body.payload,
        headers: { ...body.headers, "idempotency-key": "video-1" },
      });
      assert.equal(r.statusCode, 202, r.body);
      await t.drain(60_000);
      const got = await item(json<{ id: number }>(r).id);
      assert.equal(got.status, "done", JSON.stringify(got));
      assert.ok(Number(got.hashes.vpdq_frames) >= 3);
      assert.ok(
        got.matches.some((m) => m.type === "vpdq"),
        JSON.stringify(got.matches),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
