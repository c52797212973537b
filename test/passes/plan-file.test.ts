import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphFingerprint } from '../../src/ir/fingerprint.js';
import { buildModel } from '../../src/models/index.js';
import { planFile, readPlanFile } from '../../src/passes/pipeline.js';

test("a plan file's late fingerprint is the input's, written by JSON and accepted on replay", () => {
  const g = buildModel('lenet5', { seed: 3 });
  const plan = planFile(g, []);
  const json = JSON.parse(JSON.stringify(plan));
  assert.equal(json.model.fingerprint, graphFingerprint(g));
  assert.equal(plan.model.fingerprint, json.model.fingerprint);
  assert.deepEqual(readPlanFile(json, g, 'plan.json'), []);
  assert.throws(() => readPlanFile(json, buildModel('lenet5', { seed: 4 }), 'plan.json'), /another model/);
});
