/**
 * Members' opinions as STIX 2.1 Opinion objects (decision 0042): every one validates against
 * OASIS's opinion schema (../shared/testdata/stix2-json-schemas), each rasd kind maps to one STIX
 * value and back, a retracted opinion is revoked, and an anonymous one names no organisation.
 */

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { OPINION_KINDS, type Signal } from "../../src/core/model.js";
import { signalToIndicator } from "../../src/kernels/stix/indicator.js";
import { opinionToStix, stixToOpinion, type OpinionRecord } from "../../src/kernels/stix/opinion.js";
import { tlpMarkingId } from "../../src/kernels/stix/tlp.js";
import { TESTDATA } from "../support/shared.js";

const SCHEMAS = join(TESTDATA, "stix2-json-schemas");
const noSchemas = existsSync(join(SCHEMAS, "schemas")) ? false : `OASIS's STIX schemas are not at ${SCHEMAS}`;

const T0 = Date.parse("2026-11-02T10:00:00.000Z");
const SIGNAL: Signal = {
  id: 1,
  bankId: 7,
  type: "md5",
  value: "0123456789abcdef0123456789abcdef",
  quality: null,
  labels: { entity: ["isis"], behaviour: [], language: [] },
  confidence: 80,
  source: "",
  firstSeen: T0,
  lastSeen: T0,
  status: "active",
  createdAt: T0,
  updatedAt: T0,
  changeSeq: 1,
};
const INDICATOR = signalToIndicator(SIGNAL, { bank: { name: "media", tlp: "GREEN" }, orgName: "Sawab Center" });

function record(kind: OpinionRecord["kind"], extra: Partial<OpinionRecord> = {}): OpinionRecord {
  return {
    key: `opinion ${kind}`,
    orgName: "Platform B",
    kind,
    note: "a news report, not propaganda",
    createdAt: T0 + 1000,
    updatedAt: T0 + 2000,
    retracted: false,
    ...extra,
  };
}

test("every opinion rasd writes validates against OASIS's STIX 2.1 opinion schema", { skip: noSchemas }, () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  for (const dir of ["common", "observables", "sdos", "sros"])
    for (const f of readdirSync(join(SCHEMAS, "schemas", dir)))
      ajv.addSchema(JSON.parse(readFileSync(join(SCHEMAS, "schemas", dir, f), "utf8")) as object);
  const validate = ajv.getSchema(
    "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/sdos/opinion.json",
  );
  assert.ok(validate);
  const opinions = [
    ...OPINION_KINDS.map((k) => opinionToStix(record(k), INDICATOR)),
    opinionToStix(record("dispute", { retracted: true, note: "" }), INDICATOR),
    opinionToStix(record("confirm", { orgName: null }), INDICATOR),
  ];
  for (const o of opinions) assert.ok(validate(o), `${o.id}: ${JSON.stringify(validate.errors)}`);
});

test("an opinion's shape: refers to its Indicator, carries its marking, names its organisation only when allowed", () => {
  const o = opinionToStix(record("false-positive"), INDICATOR);
  assert.equal(o.type, "opinion");
  assert.equal(o.spec_version, "2.1");
  assert.match(o.id, /^opinion--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(o.opinion, "strongly-disagree");
  assert.deepEqual(o.object_refs, [INDICATOR.id]);
  assert.deepEqual(o.object_marking_refs, [tlpMarkingId("GREEN")]);
  assert.deepEqual(o.authors, ["Platform B"]);
  assert.match(String(o.created_by_ref), /^identity--/);
  assert.equal(o.explanation, "a news report, not propaganda");
  assert.ok(Date.parse(String(o.created)) <= Date.parse(String(o.modified)));
  const anonymous = opinionToStix(record("confirm", { orgName: null }), INDICATOR);
  assert.equal(anonymous.authors, undefined);
  assert.equal(anonymous.created_by_ref, undefined);
  // The same opinion keeps its id across versions; a retraction is a revoked later version.
  const revoked = opinionToStix(record("false-positive", { retracted: true, updatedAt: T0 + 9000 }), INDICATOR);
  assert.equal(revoked.id, o.id);
  assert.equal(revoked.revoked, true);
});

test("STIX → rasd: each kind comes back; neutral and an opinion of no indicator are refused with why", () => {
  for (const kind of OPINION_KINDS) {
    const back = stixToOpinion(opinionToStix(record(kind), INDICATOR));
    assert.ok(back.ok);
    assert.equal(back.indicatorRef, INDICATOR.id);
    assert.equal(back.opinion.kind, kind);
    assert.equal(back.opinion.orgName, "Platform B");
    assert.equal(back.opinion.note, "a news report, not propaganda");
    assert.equal(back.opinion.updatedAt, T0 + 2000);
    assert.equal(back.opinion.retracted, false);
  }
  const neutral = stixToOpinion({ ...opinionToStix(record("confirm"), INDICATOR), opinion: "neutral" });
  assert.ok(!neutral.ok && /"neutral" has no rasd kind/.test(neutral.message));
  const orphan = stixToOpinion({ ...opinionToStix(record("confirm"), INDICATOR), object_refs: ["note--x"] });
  assert.ok(!orphan.ok && /refers to no indicator/.test(orphan.message));
  const revoked = stixToOpinion(opinionToStix(record("dispute", { retracted: true }), INDICATOR));
  assert.ok(revoked.ok && revoked.opinion.retracted);
});
