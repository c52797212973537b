import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { projectionStates } from '../../src/passes/unify/projection.js';
import { hardProject, layerMatrix, unifyLayers } from '../../src/passes/unify/layers.js';
import { unifyInfo } from '../../src/passes/unify/info.js';
import { infoReport } from '../../src/cli/commands/info.js';

test('info reports the stored block map and notices weights that no longer have the structure', () => {
  const g = buildModel('lenet5', { seed: 2 });
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const layers = unifyLayers(shaped, { bh: 1, bw: 4 });
  const states = projectionStates(
    layers.map((l) => layerMatrix(g, l)),
    layers.map((l) => l.grid),
    { unify: 0.5, prune: 0.25, scope: 'layer' },
  );
  layers.forEach((l, i) => {
    hardProject(g, l, states[i]!);
  });
  g.metadata['reprune.unify'] = JSON.stringify({
    block: '1x4',
    layers: Object.fromEntries(layers.map((l, i) => [l.view.weight, Array.from(states[i]!)])),
  });
  const info = unifyInfo(g)!;
  const total = layers.reduce((a, l) => a + l.grid.count, 0);
  assert.equal(info.blocks, total);
  assert.equal(
    info.pruned,
    states.reduce((a, s) => a + s.filter((x) => x === 2).length, 0),
  );
  assert.equal(
    info.unified,
    states.reduce((a, s) => a + s.filter((x) => x === 1).length, 0),
  );
  assert.ok(info.layers.every((l) => l.consistent));
  assert.deepEqual(infoReport('m.onnx', g).unify, info);
  // Break one pruned block: the report must say so.
  const fc1 = layers.find((l) => l.view.weight === 'fc1.weight')!;
  const b = states[layers.indexOf(fc1)]!.indexOf(2);
  (g.initializers.get('fc1.weight')!.data as Float32Array)[b * 4] = 0.5;
  assert.equal(unifyInfo(g)!.layers.find((l) => l.weight === 'fc1.weight')!.consistent, false);
  assert.equal(unifyInfo(buildModel('lenet5')), undefined);
});
