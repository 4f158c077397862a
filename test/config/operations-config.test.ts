/** The operations settings: migrate on start, the worker's port, the backlog limit. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/config.js";

test("migrating: on by default; off with RASD_MIGRATE=0 or --no-migrate, which commander's absent `true` does not undo", () => {
  assert.equal(loadConfig({}, {}).migrate, true);
  assert.equal(loadConfig({}, { RASD_MIGRATE: "0" }).migrate, false);
  assert.equal(loadConfig({ migrate: false }, {}).migrate, false);
  assert.equal(loadConfig({ migrate: true }, { RASD_MIGRATE: "0" }).migrate, false);
});

test("the worker's port: 9464 by default, the option over the environment, 0 = none, bad values refused", () => {
  assert.equal(loadConfig({}, {}).workerPort, 9464);
  assert.equal(loadConfig({}, { RASD_WORKER_PORT: "0" }).workerPort, 0);
  assert.equal(loadConfig({ metricsPort: "9500" }, { RASD_WORKER_PORT: "9600" }).workerPort, 9500);
  assert.throws(
    () => loadConfig({ metricsPort: "70000" }, {}),
    /worker port: expected an integer 0\.\.65535, got "70000"/,
  );
});

test("the backlog limit: 100,000 by default, 0 = none, bad values refused", () => {
  assert.equal(loadConfig({}, {}).maxBacklog, 100_000);
  assert.equal(loadConfig({}, { RASD_MAX_BACKLOG: "0" }).maxBacklog, 0);
  assert.throws(() => loadConfig({}, { RASD_MAX_BACKLOG: "lots" }), /RASD_MAX_BACKLOG: expected an integer/);
});

test("ONNX stance models per language (RASD_STANCE_ONNX): LANG=FILE pairs for ar or en, bad ones refused", () => {
  assert.deepEqual(loadConfig({}, {}).stanceOnnx, {});
  const c = loadConfig({}, { RASD_STANCE_ONNX: "en=/m/en.onnx, ar=/m/ar.onnx" });
  assert.deepEqual({ ...c.stanceOnnx }, { en: "/m/en.onnx", ar: "/m/ar.onnx" });
  assert.throws(() => loadConfig({}, { RASD_STANCE_ONNX: "fr=/m/fr.onnx" }), /RASD_STANCE_ONNX: .*"fr=\/m\/fr.onnx"/);
  assert.throws(() => loadConfig({}, { RASD_STANCE_ONNX: "/m/en.onnx" }), /expected LANG=FILE/);
  assert.throws(() => loadConfig({}, { RASD_STANCE_ONNX: "en=" }), /expected LANG=FILE/);
  assert.throws(() => loadConfig({}, { RASD_STANCE_ONNX: "en=a.onnx,en=b.onnx" }), /"en" named twice/);
});
