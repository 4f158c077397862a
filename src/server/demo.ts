/**
 * Sample data for `rasd serve --demo`, loaded only into an empty database: three member
 * organisations, banks under different TLP markings, signals of every simple type (Arabic
 * and English), an action rule that queues matches for review, and an API key per role.
 * The texts are invented paraphrases in the style of the material, not real propaganda.
 */

import type { Services } from "./services.js";

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
    process.stderr.write("rasd: --demo: the database is not empty; demo data not loaded\n");
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
  s.access.invalidate();

  await s.rules.create(platform.id, {
    name: "review-every-match",
    conditions: {},
    actions: [{ type: "review" }, { type: "decision", decision: "hold-for-review" }],
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
  return keys;
}
