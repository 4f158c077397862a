/**
 * The crisis protocol end to end, with real processes (issue 20): three member organisations
 * each have a webhook receiver in a process of its own, and a real `rasd worker` process runs
 * the pipeline and the webhook deliveries. Government B declares an incident (its first
 * artefact an uploaded image): every member's receiver gets a signed `incident.declared`
 * within 1 s of the declaration (their recorded arrival times). Platform A then uploads a
 * re-encoded copy (sharp, another JPEG quality and size): it is matched against the incident
 * bank, and proposed as a variant with its PDQ distance. B accepts it and closes the
 * incident; the debrief's times equal the stored events, and recomputing it from the events
 * CSV gives the same figures.
 */

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { after, before, test } from "node:test";
import sharp from "sharp";
import { computeDebrief, type IncidentEvent, type IncidentEventKind } from "../../src/core/incidents.js";
import { hammingDistanceHex } from "../../src/kernels/pdq/hash256.js";
import { webhookHeaders } from "../../src/kernels/webhook/signature.js";
import { pdqHashImageBytes } from "../../src/signals/pdq/hash-image.js";
import { parseRecords } from "../support/csv.js";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { detailedPng } from "../support/images.js";
import { json, startTestService, type TestService } from "../support/service.js";

const ROOT = new URL("../..", import.meta.url).pathname;

interface Arrival {
  readonly at: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A receiver process and what it has written. */
interface MemberReceiver {
  readonly child: ChildProcess;
  readonly url: string;
  readonly arrivals: Arrival[];
}

async function startReceiverProcess(): Promise<MemberReceiver> {
  const child = spawn(process.execPath, [join(ROOT, "test/support/receiver-process.mjs")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const arrivals: Arrival[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`receiver exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = JSON.parse(line) as { ready?: number } & Arrival;
      if (m.ready) resolve(m.ready);
      else arrivals.push(m);
    });
  });
  return { child, url: `http://127.0.0.1:${port}/rasd`, arrivals };
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function multipart(field: string, bytes: Buffer) {
  const boundary = "----rasdincident" + randomBytes(6).toString("hex");
  return {
    payload: Buffer.concat([
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="a.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

let db: TestDatabase;
let api: TestService;
let worker: ChildProcess | undefined;
let workerLog = "";
const receivers: MemberReceiver[] = [];
const secrets = new Map<number, string>();
const env = {
  RASD_SECRET_KEY: randomBytes(32).toString("base64"),
  RASD_WEBHOOK_ALLOW_PRIVATE: "1",
  RASD_LEASE_SECONDS: "5",
};

before(async () => {
  db = sqliteDatabase();
  api = await startTestService({ db, workers: false, env });
  for (const [org, key] of [
    [api.orgs.a, api.keys.a.admin],
    [api.orgs.b, api.keys.b.admin],
    [api.orgs.c, api.keys.c.admin],
  ] as const) {
    const r = await startReceiverProcess();
    receivers.push(r);
    // Each member's rule: act on whatever matches, by webhook to its receiver.
    const rule = await api.call(key, {
      method: "POST",
      url: "/v1/rules",
      payload: { name: "all-matches", conditions: {}, actions: [{ type: "webhook", url: r.url }] },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    secrets.set(org.id, Object.values(json<{ webhook_secrets: Record<string, string> }>(rule).webhook_secrets)[0]!);
  }
  worker = spawn(process.execPath, [join(ROOT, "bin/rasd"), "worker", "--db", db.url, "--metrics-port", "0"], {
    // The API's data folder (the media store is in it).
    env: { ...process.env, ...env, RASD_DATA: api.s.config.dataDir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  worker.stderr!.on("data", (d: Buffer) => (workerLog += d.toString()));
  await until("the worker starts", () => workerLog.includes("workers running") || worker!.exitCode !== null, 60_000);
  assert.equal(worker.exitCode, null, workerLog.slice(-2000));
});

after(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker!.once("exit", r));
  }
  for (const r of receivers) r.child.kill("SIGTERM");
  await api?.close();
  await db?.drop();
});

test(
  "declare → every member alerted within 1 s → a re-encoded variant matched and proposed → debrief equals the events",
  { timeout: 180_000 },
  async () => {
    const original = await sharp(await detailedPng(11, 512))
      .jpeg({ quality: 92 })
      .toBuffer();
    const declared = await api.call(api.keys.b.admin, {
      method: "POST",
      url: "/v1/incidents",
      payload: { tier: 1, title: "Attack livestream", description: "Perpetrator's video and stills" },
    });
    assert.equal(declared.statusCode, 201, declared.body);
    const incident = json<{ id: number; declared_at: string; bank_id: number; drill: boolean }>(declared);
    const declaredAt = Date.parse(incident.declared_at);

    // Every member's receiver: a signed incident.declared within 1 s of the declaration.
    await until(
      "three alerts",
      () => receivers.every((r) => r.arrivals.some((a) => a.body.includes("incident.declared"))),
      10_000,
    );
    const orgIds = [api.orgs.a.id, api.orgs.b.id, api.orgs.c.id];
    receivers.forEach((r, i) => {
      const a = r.arrivals.find((x) => x.body.includes("incident.declared"))!;
      const delay = a.at - declaredAt;
      process.stderr.write(`member ${orgIds[i]}: incident.declared arrived ${delay} ms after the declaration\n`);
      assert.ok(delay >= 0 && delay <= 1000, `member ${orgIds[i]} alerted ${delay} ms after the declaration`);
      const expected = webhookHeaders(
        secrets.get(orgIds[i]!)!,
        a.headers["webhook-id"]!,
        Number(a.headers["webhook-timestamp"]),
        a.body,
      );
      assert.equal(
        a.headers["webhook-signature"],
        expected["webhook-signature"],
        "signed with the member's webhook secret",
      );
      const payload = JSON.parse(a.body) as {
        type: string;
        drill: boolean;
        data: { incident: { id: number; tier: number } };
      };
      assert.equal(payload.type, "incident.declared");
      assert.equal(payload.drill, false);
      assert.equal(payload.data.incident.id, incident.id);
      assert.equal(payload.data.incident.tier, 1);
    });

    // The first artefact, as a file: hashed as submissions are; every member alerted of the update.
    const upload = await api.call(api.keys.b.admin, {
      method: "POST",
      url: `/v1/incidents/${incident.id}/artefacts`,
      ...multipart("image", original),
    });
    assert.equal(upload.statusCode, 200, upload.body);
    const added = json<{ added: { type: string; value: string }[] }>(upload).added;
    const pdq = added.find((x) => x.type === "pdq")!.value;
    assert.equal(pdq, (await pdqHashImageBytes(original)).hash);
    assert.ok(added.some((x) => x.type === "md5"));

    // A re-encoded copy (another quality and size): its PDQ differs, within the match threshold.
    let variant: Buffer | undefined;
    let variantPdq = "";
    for (const [quality, size] of [
      [40, 400],
      [30, 360],
      [20, 300],
      [55, 480],
      [15, 256],
    ] as const) {
      const b = await sharp(original).resize(size, size).jpeg({ quality }).toBuffer();
      const h = (await pdqHashImageBytes(b)).hash;
      const d = hammingDistanceHex(h, pdq);
      if (d > 0 && d <= 31) {
        variant = b;
        variantPdq = h;
        break;
      }
    }
    assert.ok(variant, "no re-encoding gave a PDQ hash different from the original within the threshold");
    // The worker's indexes follow the new bank and signals (they poll the change cursor).
    await new Promise((r) => setTimeout(r, 1500));
    const form = multipart("image", variant);
    const submitted = await api.call(api.keys.a.submitter, {
      method: "POST",
      url: "/v1/content",
      payload: form.payload,
      headers: { ...form.headers, "idempotency-key": "variant-1" },
    });
    assert.equal(submitted.statusCode, 202, submitted.body);

    const itemId = json<{ id: number }>(submitted).id;
    await until("the item is processed", async () => {
      const item = json<{ status: string }>(
        await api.call(api.keys.a.submitter, { method: "GET", url: `/v1/content/${itemId}` }),
      );
      return item.status === "done" || item.status === "failed" || item.status === "action_failed";
    });
    const item = json<{ status: string; matches: { bankId: number; type: string; distance?: number }[] }>(
      await api.call(api.keys.a.submitter, { method: "GET", url: `/v1/content/${itemId}` }),
    );
    assert.equal(item.status, "done", JSON.stringify(item));
    // Matched against the incident bank, whose matches come first.
    assert.equal(item.matches[0]?.bankId, incident.bank_id, JSON.stringify(item.matches));
    // Matched and proposed.
    let proposed: { id: number; value: string; distance: number; org_id: number; status: string } | undefined;
    await until("the variant is proposed", async () => {
      const r = await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incident.id}/variants` });
      proposed = json<{ variants: NonNullable<typeof proposed>[] }>(r).variants[0];
      return proposed !== undefined;
    });
    assert.equal(proposed!.value, variantPdq);
    assert.equal(proposed!.distance, hammingDistanceHex(variantPdq, pdq));
    assert.equal(proposed!.org_id, api.orgs.a.id);
    assert.equal(proposed!.status, "proposed");
    // Member A's own receiver got the match (its rule acted on it).
    await until("A's content webhook", () => receivers[0]!.arrivals.some((a) => a.body.includes("content.matched")));

    // Only the declaring organisation's admin may accept; then B accepts and closes.
    const refused = await api.call(api.keys.a.admin, {
      method: "POST",
      url: `/v1/incidents/${incident.id}/variants/${proposed!.id}/accept`,
    });
    assert.equal(refused.statusCode, 403, refused.body);
    const accepted = await api.call(api.keys.b.admin, {
      method: "POST",
      url: `/v1/incidents/${incident.id}/variants/${proposed!.id}/accept`,
    });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(json<{ status: string }>(accepted).status, "accepted");
    await until("the action is recorded", async () => {
      const events = await api.s.stores.incidents.events(incident.id);
      return events.some((e) => e.kind === "action");
    });
    const closed = await api.call(api.keys.b.admin, {
      method: "POST",
      url: `/v1/incidents/${incident.id}/close`,
      payload: { improve: "Members without a webhook rule were not alerted." },
    });
    assert.equal(closed.statusCode, 200, closed.body);
    await until(
      "every closing alert",
      () => receivers.every((r) => r.arrivals.some((a) => a.body.includes("incident.closed"))),
      10_000,
    );
    // Every alert's delivery recorded: no event is written after this.
    await until("every delivery recorded", async () =>
      (await api.s.stores.incidents.alerts(incident.id)).every((x) => x.status === "delivered"),
    );

    // The debrief's times are the stored events' times.
    const debrief = json<{
      declared_at: string;
      first_hash_shared_at: string;
      first_match_at: string;
      ninety_actioned_at: string | null;
      closed_at: string;
      matched_copies: number;
      actioned_copies: number;
      members: {
        org_id: number;
        alerted_at: string | null;
        first_match_at: string | null;
        first_action_at: string | null;
      }[];
      never_acted: { org_id: number }[];
      variants: { proposed: number; accepted: number };
      events: number;
    }>(await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incident.id}/debrief.json` }));
    const stored = await api.s.stores.incidents.events(incident.id);
    const at = (kind: IncidentEventKind, orgId?: number) =>
      new Date(stored.find((e) => e.kind === kind && (orgId === undefined || e.orgId === orgId))!.at).toISOString();
    assert.equal(debrief.declared_at, incident.declared_at);
    assert.equal(debrief.declared_at, at("declared"));
    assert.equal(debrief.first_hash_shared_at, at("hash_shared"));
    assert.equal(debrief.first_match_at, at("match"));
    assert.equal(debrief.closed_at, at("closed"));
    assert.equal(debrief.matched_copies, 1);
    assert.equal(debrief.actioned_copies, 1);
    assert.equal(debrief.ninety_actioned_at, at("action"));
    assert.deepEqual(debrief.variants, { proposed: 1, accepted: 1, rejected: 0 });
    const a = debrief.members.find((m) => m.org_id === api.orgs.a.id)!;
    assert.equal(a.first_match_at, at("match", api.orgs.a.id));
    assert.equal(a.first_action_at, at("action", api.orgs.a.id));
    receivers.forEach((r, i) => {
      const m = debrief.members.find((x) => x.org_id === orgIds[i])!;
      // The stored time is when the receiver's answer came back: after its arrival.
      assert.equal(m.alerted_at, at("alert_delivered", m.org_id));
      const arrival = r.arrivals.find((x) => x.body.includes("incident.declared"))!.at;
      assert.ok(Date.parse(m.alerted_at!) >= arrival, `member ${m.org_id}: answer recorded before the arrival`);
      process.stderr.write(
        `member ${m.org_id}: delivery recorded ${Date.parse(m.alerted_at!) - declaredAt} ms after the declaration\n`,
      );
    });
    assert.deepEqual(debrief.never_acted.map((m) => m.org_id).sort(), [api.orgs.b.id, api.orgs.c.id].sort());

    // Recomputed from the events CSV alone: the same figures.
    const csv = await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incident.id}/events.csv` });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers["content-type"]), /text\/csv/);
    const events: IncidentEvent[] = parseRecords(csv.body).map((r) => ({
      id: Number(r.id),
      incidentId: incident.id,
      at: Number(r.at_ms),
      kind: r.kind as IncidentEventKind,
      orgId: r.org_id === "" ? null : Number(r.org_id),
      itemId: r.item_id === "" ? null : Number(r.item_id),
      signalId: r.signal_id === "" ? null : Number(r.signal_id),
      variantId: r.variant_id === "" ? null : Number(r.variant_id),
      detail: JSON.parse(r.detail!) as Record<string, unknown>,
    }));
    assert.equal(events.length, debrief.events);
    const again = computeDebrief(incident.id, false, events);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    assert.equal(iso(again.declaredAt), debrief.declared_at);
    assert.equal(iso(again.firstHashSharedAt), debrief.first_hash_shared_at);
    assert.equal(iso(again.firstMatchAt), debrief.first_match_at);
    assert.equal(iso(again.ninetyActionedAt), debrief.ninety_actioned_at);
    assert.equal(again.matchedCopies, debrief.matched_copies);
    assert.deepEqual(
      again.members.map((m) => [m.orgId, iso(m.alertedAt), iso(m.firstMatchAt), iso(m.firstActionAt)]),
      debrief.members.map((m) => [m.org_id, m.alerted_at, m.first_match_at, m.first_action_at]),
    );

    // The HTML and CSV debriefs.
    const html = await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incident.id}/debrief.html` });
    assert.equal(html.statusCode, 200);
    assert.match(html.body, /Attack livestream/);
    assert.doesNotMatch(html.body, /<script/i);
    const dcsv = await api.call(api.keys.c.reader, { method: "GET", url: `/v1/incidents/${incident.id}/debrief.csv` });
    const figures = parseRecords(dcsv.body);
    assert.equal(figures.find((f) => f.figure === "declared_at")!.value, debrief.declared_at);
    assert.equal(
      figures.find((f) => f.figure === "what_to_improve")!.value,
      "Members without a webhook rule were not alerted.",
    );
  },
);
