/**
 * Sample data for `rasd serve --demo`, loaded only into an empty database: three member
 * organisations, banks under different TLP markings, signals of every simple type (Arabic
 * and English), an action rule that queues matches for review, an API key per role, a web
 * password for every demo person, and a few submitted items for the review queue and dashboard.
 * The texts are invented paraphrases in the style of the material, not real propaganda.
 */

import { loadDemoHistory } from "./demo-history.js";
import { createHash, randomBytes } from "node:crypto";
import sharp from "sharp";
import { pdqHashImageBytes } from "../signals/pdq/hash-image.js";
import type { NewContent } from "../storage/ports/index.js";
import type { Services } from "./services.js";
import { getLogger } from "../logging/logger.js";

const TEXTS_AR = [
  "انضموا إلى صفوف دولة الخلافة الآن فالهجرة واجبة على كل مسلم",
  "أيها الشباب لا تترددوا في النفير إلى أرض الجهاد والعزة",
  "إصدار جديد من مؤسسة الإعلام يوثق انتصارات جنود الدولة",
];
const TEXTS_EN = [
  "Join the ranks of the caliphate now, migration is an obligation for every believer",
  "New release from the media foundation documents the victories of the soldiers of the state",
];

export async function loadDemo(s: Services): Promise<Record<string, string> | undefined> {
  if ((await s.store.listOrgs()).length > 0) {
    getLogger("demo").warn("--demo: the database is not empty; demo data not loaded");
    return undefined;
  }
  const gov = await s.banks.createOrg("Sawab Center", "government");
  const platform = await s.banks.createOrg("Example Platform", "platform");
  const ngo = await s.banks.createOrg("Counter-Narratives NGO", "ngo");

  const shared = await s.banks.createBank({
    orgId: gov.id,
    name: "isis-propaganda",
    description: "Known ISIS propaganda: hashes, links and texts shared with every member",
    actionHint: "remove",
    tlp: "GREEN",
  });
  const amber = await s.banks.createBank({
    orgId: gov.id,
    name: "recruitment-links",
    description: "Recruitment links under investigation, shared with platforms in the sharing group",
    actionHint: "review",
    tlp: "AMBER",
  });
  await s.access.store.setSharing(amber.id, [platform.id], []);
  const allow = await s.banks.createBank({
    orgId: ngo.id,
    name: "counter-speech",
    description: "Counter-messaging and news reporting that must never be removed (an allow-list)",
    negative: true,
    tlp: "GREEN",
  });
  const signal = (type: string, value: string, entity: string[], behaviour: string[], language: string[]) => ({
    line: 0,
    raw: { type, value, labels: { entity, behaviour, language }, source: "demo" },
  });
  await s.banks.addSignals(shared.id, [
    ...TEXTS_AR.map((t) => signal("text", t, ["isis"], ["recruitment"], ["ar"])),
    ...TEXTS_EN.map((t) => signal("text", t, ["isis"], ["recruitment"], ["en"])),
    signal("pdq", "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", ["isis"], ["glorification"], []),
    signal(
      "pdq",
      "d811ac390bfa6005d08543fe27fd5a11f6b55bdd2603000dc26476fc79fc76b5",
      ["isis"],
      ["graphic-violence"],
      [],
    ),
    signal("md5", "0d6ab7b1e3e0f6d5a9b7e1b0c3a2d4e5", ["isis"], ["instruction"], []),
    signal("domain", "archive-of-the-state.example", ["isis"], ["glorification"], []),
  ]);
  await s.banks.addSignals(amber.id, [
    signal("url", "https://t.me/s/example_nashir_channel", ["isis"], ["recruitment"], ["ar"]),
    signal("url", "hxxps://justpaste[.]it/example-release", ["isis"], ["recruitment"], ["ar"]),
  ]);
  await s.banks.addSignals(allow.id, [
    signal("text", "تقرير إخباري عن هزيمة التنظيم في الموصل وعودة الأهالي", [], [], ["ar"]),
  ]);
  // The platform's own bank, where its reviewers put what they confirm.
  await s.banks.createBank({
    orgId: platform.id,
    name: "platform-confirmed",
    description: "Items the platform's reviewers confirmed as violating",
    actionHint: "remove",
    tlp: "AMBER+STRICT",
  });
  s.access.invalidate();

  await s.rules.create(platform.id, {
    name: "review-every-match",
    conditions: {},
    actions: [{ type: "review" }, { type: "decision", decision: "hold-for-review" }],
  });
  // Text the stance model is confident is pro-ISIS goes to review even when no bank has it.
  await s.rules.create(platform.id, {
    name: "review-confident-pro-text",
    conditions: { stance: ["pro"], minStanceScore: 0.8 },
    actions: [{ type: "review" }],
  });

  const keys: Record<string, string> = {};
  for (const [org, role] of [
    [platform, "submitter"],
    [platform, "admin"],
    [platform, "reviewer"],
    [gov, "curator"],
    [gov, "admin"],
    [ngo, "reader"],
  ] as const) {
    keys[`${org.name} ${role}`] = (await s.access.createKey(org, role, `demo-${role}`)).token;
  }
  // The web app: every demo person signs in with their organisation, name and this password.
  const password = `demo-${randomBytes(6).toString("hex")}`;
  for (const org of [gov, platform, ngo])
    for (const person of await s.access.store.listPeople(org.id)) await s.accounts.setPassword(person.id, password);
  keys["password of every demo-<role>"] = password;
  await submitDemoContent(s, platform.id, shared.id);
  const submitter = (await s.access.store.listPeople(platform.id)).find((p) => p.role === "submitter");
  if (submitter) await loadDemoHistory(s, platform.id, submitter.id);
  return keys;
}

/** A synthetic image (stripes and a block, nothing real) whose PDQ hash is put in a bank. */
export async function demoImage(): Promise<Buffer> {
  const w = 256;
  const pixels = Buffer.alloc(w * w * 3);
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++) {
      const v = (Math.floor(x / 32) + Math.floor(y / 48)) % 2 ? 40 : 200;
      const block = x > 96 && x < 200 && y > 60 && y < 150;
      pixels.set(block ? [180, 30, 30] : [v, v, v], (y * w + x) * 3);
    }
  return sharp(pixels, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toBuffer();
}

/** Items from the platform so that the review queue and the dashboard have something to show. */
async function submitDemoContent(s: Services, platformId: number, bankId: number): Promise<void> {
  const image = await demoImage();
  const pdq = await pdqHashImageBytes(image);
  await s.banks.addSignals(bankId, [
    {
      line: 0,
      raw: {
        type: "pdq",
        value: pdq.hash,
        quality: pdq.quality,
        labels: { entity: ["isis"], behaviour: ["glorification"] },
        source: "demo",
      },
    },
  ]);
  const people = await s.access.store.listPeople(platformId);
  const submitter = people.find((p) => p.role === "submitter") ?? people[0]!;
  const now = Date.now();
  const item = (i: number, fields: Partial<NewContent>): NewContent => ({
    orgId: platformId,
    personId: submitter.id,
    idempotencyKey: `demo-${i}`,
    requestHash: createHash("sha256").update(`demo-${i}`).digest("hex"),
    kind: "text",
    contentId: `post-${1000 + i}`,
    authorId: `user-${i % 3}`,
    postedAt: now - (8 - i) * 3600_000,
    mediaType: null,
    media: null,
    url: null,
    text: null,
    receivedAt: now - (8 - i) * 1000,
    ...fields,
  });
  await s.content.accept([
    item(0, { text: `RT @x: ${TEXTS_AR[0]}` }),
    item(1, { text: TEXTS_AR[1]! }),
    item(2, { text: `${TEXTS_EN[0]} #join` }),
    item(3, { kind: "url", url: "hxxps://justpaste[.]it/example-release?utm_source=tw" }),
    item(4, { kind: "image", media: image, mediaType: "image/png" }),
    item(5, { text: "Weather in Mosul today: sunny, 31 degrees, light wind from the north" }),
    item(6, { text: "تقرير إخباري عن هزيمة التنظيم في الموصل وعودة الأهالي" }),
  ]);
}
