/**
 * A webhook secret a member chooses must be one that signs: base64 of at least 24 bytes.
 * A 24-character string that decodes to nothing would sign every delivery with an empty key,
 * which anyone can forge.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { webhookSecretProblem } from "../../src/kernels/webhook/signature.js";
import { json, startTestService, type TestService } from "../support/service.js";

let t: TestService;

before(async () => {
  t = await startTestService({ workers: false });
});

after(async () => {
  await t.close();
});

function ruleWith(secret: string) {
  return t.call(t.keys.a.admin, {
    method: "POST",
    url: "/v1/rules",
    payload: {
      name: `hook-${Math.random().toString(36).slice(2)}`,
      conditions: { entity: ["isis"] },
      actions: [{ type: "review" }, { type: "webhook", url: "https://receiver.example/hook", secret }],
    },
  });
}

test("secrets that would sign with no key or a short one are refused, naming the action", async () => {
  for (const [secret, why] of [
    ["!!!!!!!!!!!!!!!!!!!!!!!!", /not base64/],
    ["whsec_!!!!!!!!!!!!!!!!!!!!!!!!", /not base64/],
    ["whsec_" + Buffer.alloc(17, 1).toString("base64"), /17 bytes once decoded; at least 24/],
    ["                        ", /not base64/],
  ] as const) {
    const r = await ruleWith(secret);
    assert.equal(r.statusCode, 400, `${JSON.stringify(secret)} was accepted: ${r.body}`);
    const message = json<{ error: { message: string } }>(r).error.message;
    assert.match(message, /^actions\[1\]\.secret: /);
    assert.match(message, why);
  }
});

test("a secret of 24 random bytes, with or without whsec_, is accepted", async () => {
  const bytes = Buffer.from("0123456789abcdef01234567");
  for (const secret of ["whsec_" + bytes.toString("base64"), bytes.toString("base64")]) {
    const r = await ruleWith(secret);
    assert.equal(r.statusCode, 201, r.body);
  }
  assert.equal(webhookSecretProblem("whsec_" + Buffer.alloc(64, 5).toString("base64")), undefined);
});
