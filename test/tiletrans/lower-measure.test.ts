import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphFingerprint } from '../../src/ir/fingerprint.js';
import { buildModel } from '../../src/models/index.js';
import { replayPlans, runPipeline } from '../../src/passes/pipeline.js';
import { lowerTileSparse } from '../../src/passes/tile/lower.js';
import type { TileLowerPlan } from '../../src/passes/tile/pass.js';
import { tilePrune } from '../../src/passes/tile/prune.js';
import { maxAbs, maxDiff, runOn } from '../analysis/helpers.js';

test('tile-lower --measure-batch: every candidate timed, only the kept ones lowered, same function, replay identical', async () => {
  const masked = tilePrune(buildModel('lenet5', { seed: 4 }), {
    pattern: { kind: 'tile', th: 8, tw: 1 },
    sparsity: 0.75,
  }).graph;
  const options = { maxDensity: 1, minRows: 8, measureBatch: 4 };
  const candidates = lowerTileSparse(masked, options).layers.map((l) => l.node);
  const r = await runPipeline(masked, [{ pass: 'tile-lower', options }]);
  const plan = JSON.parse(JSON.stringify(r.plans[0])) as TileLowerPlan;
  assert.deepEqual(
    plan.decisions!.map((d) => d.node),
    candidates,
  );
  for (const d of plan.decisions!) {
    assert.ok(d.denseMs! > 0 && d.loweredMs! > 0, `${d.node}: not timed`);
    assert.equal(d.lowered, d.loweredMs! < 0.95 * d.denseMs!);
  }
  assert.deepEqual(
    plan.layers.map((l) => l.node),
    plan.decisions!.filter((d) => d.lowered).map((d) => d.node),
  );
  // Dense layers stay as they were; lowered ones are rewritten: either way the function is the masked model's.
  for (const d of plan.decisions!)
    assert.equal(
      r.graph.nodes.some((n) => n.name === d.node),
      !d.lowered,
      d.node,
    );
  const [a, b] = [await runOn(masked), await runOn(r.graph)];
  assert.ok(maxDiff(a, b) <= 1e-5 * maxAbs(a), `diff ${maxDiff(a, b)}`);
  // The decision is in the plan: a replay times nothing and builds the same graph.
  const again = await replayPlans(masked, [plan]);
  assert.equal(graphFingerprint(again.graph), graphFingerprint(r.graph));
});
