/**
 * Signals as STIX 2.1: every object rasd writes validates against OASIS's own JSON schemas
 * (../shared/testdata/stix2-json-schemas, loaded by their $id into Ajv's draft 2020-12), the
 * round trip rasd → STIX → rasd loses nothing, and other tools' Indicators (OASIS's examples)
 * are read where their pattern is one rasd holds and refused, saying why, where it is not.
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Bank, Signal, SignalType, Tlp } from "../../src/core/model.js";
import { bundleObjects, stixBundle } from "../../src/kernels/stix/bundle.js";
import {
  SIGNAL_EXTENSION_ID,
  indicatorToSignal,
  organisationIdentity,
  signalToIndicator,
} from "../../src/kernels/stix/indicator.js";
import { tlpMarkingDefinition, tlpOfMarking } from "../../src/kernels/stix/tlp.js";
import { uuidv5 } from "../../src/kernels/stix/uuid.js";
import { TESTDATA } from "../support/shared.js";

const SCHEMAS = join(TESTDATA, "stix2-json-schemas");
const noSchemas = existsSync(join(SCHEMAS, "schemas"))
  ? false
  : `OASIS's STIX schemas are not at ${SCHEMAS} (../shared absent): schema validation skipped`;
if (noSchemas) console.log(`# SKIP ${noSchemas}`);

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  for (const dir of ["common", "observables", "sdos", "sros"])
    for (const f of readdirSync(join(SCHEMAS, "schemas", dir)))
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, "schemas", dir, f), "utf8")) as object);
  const base = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas";
  return (path: string, value: unknown): string[] => {
    const validate = ajv.getSchema(`${base}/${path}`);
    assert.ok(validate, `schema ${path}`);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
  };
}

const PDQ = "facd8bcb2a49bcebdec1985298d5fe84bcd006c187c598c720c3c087b3fdb318";
const T0 = Date.parse("2026-11-02T10:00:00.000Z");

function signal(id: number, type: SignalType, value: string, extra: Partial<Signal> = {}): Signal {
  return {
    id,
    bankId: 7,
    type,
    value,
    quality: type === "pdq" ? 92 : null,
    labels: { entity: ["isis"], behaviour: ["glorification"], language: ["ar"] },
    confidence: 80,
    source: "moderator report 1182",
    firstSeen: T0,
    lastSeen: T0 + 3_600_000,
    status: "active",
    createdAt: T0 + 1000,
    updatedAt: T0 + 5000,
    changeSeq: id,
    ...extra,
  };
}

const SIGNALS: Signal[] = [
  signal(1, "pdq", PDQ),
  signal(2, "md5", "0123456789abcdef0123456789abcdef"),
  signal(3, "sha256", "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c"),
  signal(4, "video_md5", "cab08b36195edb1a1231d2d09fa450e0"),
  signal(5, "url", "https://justpaste.it/it's-a-test?x=1"),
  signal(6, "domain", "isis-news.example"),
  signal(7, "text", "جنود الخلافة يتقدمون \\ 'quoted'", { labels: { entity: [], behaviour: [], language: [] } }),
  signal(8, "pdq", "f".repeat(64), { status: "retracted", quality: null }),
  signal(9, "url_md5", "d64e8ccd2c7849a58c4ee7d139d0d9f8"),
];
const BANK = { name: "isis-media", tlp: "AMBER" as Tlp } satisfies Pick<Bank, "name" | "tlp">;

test("every object of an exported bundle validates against OASIS's STIX 2.1 schemas", { skip: noSchemas }, () => {
  const check = validator();
  const indicators = SIGNALS.map((s) => signalToIndicator(s, { bank: BANK, orgName: "Sawab Center" }));
  const bundle = stixBundle(indicators, [organisationIdentity("Sawab Center", T0)], ["AMBER", "RED"]);
  // OASIS's bundle schema lets a custom object match exactly one of core and cyber-observable
  // core, and an extension definition matches both, so no bundle holding one validates as a
  // whole: the bundle is checked without it, and the extension definition against its own schema.
  const objects0 = bundle.objects as { type: string }[];
  const withoutDefinition = { ...bundle, objects: objects0.filter((o) => o.type !== "extension-definition") };
  assert.deepEqual(check("common/bundle.json", withoutDefinition), []);
  const byType: Record<string, string> = {
    indicator: "sdos/indicator.json",
    identity: "sdos/identity.json",
    "marking-definition": "common/marking-definition.json",
    "extension-definition": "common/extension-definition.json",
  };
  const objects = bundle.objects as { type: string; id: string }[];
  for (const o of objects) assert.deepEqual(check(byType[o.type]!, o), [], `${o.id}`);
  assert.deepEqual([...new Set(objects.map((o) => o.type))].sort(), Object.keys(byType).sort());
});

test("rasd → STIX → rasd loses nothing, and a retracted signal is a revoked Indicator", () => {
  for (const s of SIGNALS) {
    const indicator = signalToIndicator(s, { bank: BANK, orgName: "Sawab Center" });
    assert.equal(indicator.revoked === true, s.status === "retracted");
    assert.deepEqual(indicator.object_marking_refs, ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]);
    const back = indicatorToSignal(JSON.parse(JSON.stringify(indicator)) as Record<string, unknown>);
    assert.ok(back.ok, JSON.stringify(back));
    assert.deepEqual(back.signal, {
      type: s.type,
      value: s.value,
      status: s.status,
      labels: s.labels,
      confidence: s.confidence,
      ...(s.quality !== null ? { quality: s.quality } : {}),
      source: s.source,
      first_seen: new Date(s.firstSeen).toISOString(),
      last_seen: new Date(s.lastSeen).toISOString(),
    });
    // The pattern alone (another tool dropping rasd's extension) still gives the type and value,
    // except that an MD5 cannot say it was a video's.
    const plain: Record<string, unknown> = { ...indicator };
    delete plain.extensions;
    const fromPattern = indicatorToSignal(plain);
    assert.ok(fromPattern.ok, JSON.stringify(fromPattern));
    assert.equal(fromPattern.signal.type, s.type === "video_md5" ? "md5" : s.type);
    assert.equal(fromPattern.signal.value, s.value);
  }
  // Ids are stable: the same signal in the same bank is the same Indicator in every export.
  const a = signalToIndicator(SIGNALS[0]!, { bank: BANK, orgName: "Sawab Center" });
  const b = signalToIndicator({ ...SIGNALS[0]!, updatedAt: T0 + 9000 }, { bank: BANK, orgName: "Sawab Center" });
  assert.equal(a.id, b.id);
  assert.notEqual(a.modified, b.modified);
  assert.ok(SIGNAL_EXTENSION_ID.startsWith("extension-definition--"));
});

test("OASIS's example Indicators: file hashes read, other patterns refused with a reason", { skip: noSchemas }, () => {
  const read = (f: string) => {
    const got = bundleObjects(readFileSync(join(SCHEMAS, "examples", f), "utf8"));
    assert.ok(got.ok);
    return got.objects.filter((o) => o.type === "indicator").map(indicatorToSignal);
  };
  const c2 = read("indicators-for-C2-with-COA.json");
  assert.ok(c2.some((r) => r.ok && r.signal.type === "sha256" && r.signal.value.startsWith("ef537f25")));
  for (const f of ["indicator-for-c2-ip-address.json", "malicious-email-indicator-with-attachment.json"]) {
    const refused = read(f);
    assert.ok(refused.length > 0 && refused.every((r) => !r.ok && /rasd reads one comparison/.test(r.message)), f);
  }
});

test("bundles that are not bundles, TLP markings and UUIDv5", () => {
  const broken = bundleObjects("{");
  assert.ok(!broken.ok && /^not JSON/.test(broken.message));
  assert.match((bundleObjects('{"type":"indicator"}') as { message: string }).message, /not a STIX bundle/);
  assert.equal(tlpOfMarking(tlpMarkingDefinition("RED").id as string), "RED");
  assert.equal(tlpOfMarking("marking-definition--00000000-0000-4000-8000-000000000000"), undefined);
  // RFC 9562's example: the DNS namespace and www.example.com.
  assert.equal(
    uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"),
    "2ed6657d-e927-568b-95e1-2665a8aea6a2",
  );
});
