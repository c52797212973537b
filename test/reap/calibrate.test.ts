import { test } from 'node:test';
import assert from 'node:assert/strict';
import { take } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/sources.js';
import { buildModel } from '../../src/models/index.js';
import { groupGrams } from '../../src/passes/cut/behaviours.js';
import { forEachBatch } from '../../src/runtime/capture.js';
import { keepCount } from '../../src/passes/cut/groups.js';

test('streamed Gram equals BᵀB of the captured behaviours (+ constant column), across batches', async () => {
  const g = buildModel('mlp', { seed: 3 });
  const ds = take(loadDataset('mnist', 'train'), 70);
  const grams = await groupGrams(g, ds, { samples: 70, batchSize: 32 });
  const G = grams.get('fc2')!; // fc2's 100 outputs, read by fc3 after ReLU
  assert.equal(G.rows, 101);
  const value = g.nodes.find((n) => n.name === 'fc3')!.inputs[0]!;
  const rows: Float32Array[] = [];
  await forEachBatch(g, ds, [value], (o, n) => {
    for (let s = 0; s < n; s++) rows.push((o[value]!.data as Float32Array).slice(s * 100, s * 100 + 100));
  });
  assert.equal(rows.length, 70);
  for (const [i, j] of [
    [0, 0],
    [3, 17],
    [99, 42],
    [5, 100],
    [100, 100],
  ] as const) {
    let s = 0;
    for (const r of rows) s += (i === 100 ? 1 : r[i]!) * (j === 100 ? 1 : r[j]!);
    assert.ok(Math.abs(G.data[i * 101 + j]! - s) <= 1e-6 * Math.max(1, Math.abs(s)), `G[${i}][${j}]`);
  }
});

test('keepCount rounds to multiples and keeps at least one channel', () => {
  assert.equal(keepCount(64, 0.5), 32);
  assert.equal(keepCount(64, 0.45, 8), 32);
  assert.equal(keepCount(10, 0.99), 1);
  assert.equal(keepCount(12, 0.9, 8), 8);
  assert.equal(keepCount(16, 0), 16);
});
