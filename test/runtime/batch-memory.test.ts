import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { loadDataset } from '../../src/data/sources.js';
import { take } from '../../src/data/dataset.js';
import { forEachBatch } from '../../src/runtime/capture.js';
import { evaluate } from '../../src/runtime/evaluate.js';
import { BATCH_MEMORY_BYTES, boundedBatch, sampleBytes } from '../../src/runtime/batch-memory.js';
import type { Graph } from '../../src/ir/graph.js';

const firstRelu = (g: Graph) => g.nodes.find((n) => n.opType === 'Relu')!.outputs[0]!;

describe('memory-bounded batches', () => {
  test('sampleBytes: fetched values and the largest activation of one sample', () => {
    const g = buildModel('lenet5');
    const relu1 = firstRelu(g);
    // lenet5's first conv output, [6, 28, 28] float32, is its largest activation; logits are [10].
    assert.deepEqual(sampleBytes(g, [1, 28, 28], [relu1, 'logits']), {
      fetched: (6 * 28 * 28 + 10) * 4,
      largestActivation: 6 * 28 * 28 * 4,
    });
    // A value whose shape cannot be known per sample: no estimate, so the caller's cap applies.
    const opaque = g.clone();
    opaque.nodes.push({
      name: 'custom',
      opType: 'Mystery',
      domain: 'x.y',
      inputs: ['logits'],
      outputs: ['m'],
      attrs: {},
    });
    assert.equal(sampleBytes(opaque, [1, 28, 28], ['m']), undefined);
  });

  test('boundedBatch: the cap when it fits, the budget otherwise, never below 1', () => {
    const small = { fetched: 1000, largestActivation: 1000 };
    assert.equal(boundedBatch(small, 256), 256);
    assert.equal(boundedBatch(undefined, 250), 250);
    // 2·fetched + 5·largest = 7 MB per sample → 146 samples in 1 GiB.
    const wide = { fetched: 1e6, largestActivation: 1e6 };
    assert.equal(boundedBatch(wide, 256), Math.floor(BATCH_MEMORY_BYTES / 7e6));
    assert.equal(boundedBatch(wide, 256, 7e6 * 3 + 1), 3);
    assert.equal(boundedBatch({ fetched: 1e12, largestActivation: 0 }, 256), 1);
  });

  test('forEachBatch picks the bounded batch when none is given, and results do not depend on it', async () => {
    const g = buildModel('lenet5', { seed: 3 });
    const ds = take(loadDataset('mnist', 'test'), 300);
    const relu1 = firstRelu(g);
    const sizes: number[] = [];
    // Budget for 40 samples: 2·(18,816 + 40) + 5·18,816 bytes each.
    const per = 2 * (6 * 28 * 28 + 10) * 4 + 5 * 6 * 28 * 28 * 4;
    const stats = await forEachBatch(g, ds, [relu1, 'logits'], (_o, n) => void sizes.push(n), {
      memoryBytes: per * 40,
    });
    assert.equal(stats.batchSize, 40);
    assert.deepEqual(sizes, [...Array(7).fill(40), 20]);
    const evalPer = 2 * 10 * 4 + 5 * 6 * 28 * 28 * 4; // only the logits are fetched
    const bounded = await evaluate(g, ds, { memoryBytes: evalPer * 7 });
    const fixed = await evaluate(g, ds, { batchSize: 256 });
    assert.equal(bounded.batchSize, 7);
    assert.equal(fixed.batchSize, 256);
    assert.equal(bounded.accuracy, fixed.accuracy);
    assert.ok(Math.abs(bounded.loss - fixed.loss) < 1e-9);
    // Small models keep the usual cap.
    assert.equal((await evaluate(g, ds)).batchSize, 256);
  });
});
