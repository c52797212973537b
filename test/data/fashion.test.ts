import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fashionMnistDir, loadDataset } from '../../src/data/sources.js';

const dir = fashionMnistDir();
const present = existsSync(path.join(dir, 'train-labels-idx1-ubyte.gz'));

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  test('60000/10000 samples, 6000/1000 per class, pixels in [0,1]', (t) => {
    if (!present) {
      t.skip(`Fashion-MNIST not installed at ${dir} (apt-get install dataset-fashion-mnist)`);
      return;
    }
    for (const [split, count] of [
      ['train', 60000],
      ['test', 10000],
    ] as const) {
      const ds = loadDataset('fashion-mnist', split);
      assert.equal(ds.count, count);
      assert.deepEqual(ds.shape, [1, 28, 28]);
      const h = new Array<number>(10).fill(0);
      for (const l of ds.labels) h[l]++;
      assert.deepEqual(h, new Array<number>(10).fill(count / 10));
      let max = 0;
      let min = 1;
      for (const v of ds.images) {
        if (v > max) max = v;
        if (v < min) min = v;
      }
      assert.equal(min, 0);
      assert.equal(max, 1);
    }
  });
});
