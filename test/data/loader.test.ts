import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { augmentInto, batches, epochOrder, numBatches, subset, take } from '../../src/data/loader.js';
import { SeededRng } from '../../src/util/random.js';
import { ReproError } from '../../src/util/errors.js';

/** count samples of shape [c,h,w]; sample i is filled with distinct values so it can be recognised. */
function toy(count: number, shape = [1, 4, 4]): Dataset {
  const size = shape.reduce((a, b) => a * b, 1);
  const images = new Float32Array(count * size);
  for (let i = 0; i < images.length; i++) images[i] = i + 1;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 3);
  return { name: 'toy', images, labels, count, shape, numClasses: 3 };
}

function order(ds: Dataset, opts: Parameters<typeof batches>[1]): number[] {
  return [...batches(ds, opts)].flatMap((b) => Array.from(b.indices));
}

describe('shuffling', () => {
  const ds = toy(100);
  test('same seed and epoch give the same order; it is a permutation', () => {
    const a = order(ds, { batchSize: 7, shuffle: true, seed: 3, epoch: 0 });
    const b = order(ds, { batchSize: 32, shuffle: true, seed: 3, epoch: 0 });
    assert.deepEqual(a, b);
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => i),
    );
    assert.notDeepEqual(
      a,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  test('different epoch or seed gives a different order', () => {
    const e0 = Array.from(epochOrder(100, true, 3, 0));
    assert.notDeepEqual(e0, Array.from(epochOrder(100, true, 3, 1)));
    assert.notDeepEqual(e0, Array.from(epochOrder(100, true, 4, 0)));
  });

  test('no shuffle keeps dataset order', () => {
    assert.deepEqual(
      order(ds, { batchSize: 30 }),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});

describe('batching', () => {
  const ds = toy(10);
  test('batch contents, sizes, dims and dropLast', () => {
    const all = [...batches(ds, { batchSize: 4, shuffle: true, seed: 1 })];
    assert.deepEqual(
      all.map((b) => b.n),
      [4, 4, 2],
    );
    assert.equal(numBatches(ds, { batchSize: 4 }), 3);
    for (const b of all) {
      assert.deepEqual(b.dims, [b.n, 1, 4, 4]);
      assert.equal(b.x.length, b.n * 16);
      b.indices.forEach((i, k) => {
        assert.deepEqual(
          Array.from(b.x.subarray(k * 16, (k + 1) * 16)),
          Array.from(ds.images.subarray(i * 16, (i + 1) * 16)),
        );
        assert.equal(b.y[k], ds.labels[i]);
      });
    }
    const dropped = [...batches(ds, { batchSize: 4, dropLast: true })];
    assert.deepEqual(
      dropped.map((b) => b.n),
      [4, 4],
    );
    assert.equal(numBatches(ds, { batchSize: 4, dropLast: true }), 2);
  });

  test('flat layout: same memory, dims [n, features]', () => {
    const [nchw] = batches(ds, { batchSize: 3 });
    const [flat] = batches(ds, { batchSize: 3, layout: 'flat' });
    assert.deepEqual(flat.dims, [3, 16]);
    assert.deepEqual(Array.from(flat.x), Array.from(nchw.x));
  });

  test('bad batch size is a ReproError', () => {
    assert.throws(() => [...batches(ds, { batchSize: 0 })], ReproError);
  });
});

describe('augmentation', () => {
  const ds = toy(20, [2, 5, 5]);
  const aug = { cropPad: 2, flip: true };
  test('keeps shape, deterministic per seed/epoch, changes with seed, order unchanged', () => {
    const run = (seed: number, epoch = 0) => [
      ...batches(ds, { batchSize: 6, shuffle: true, seed, epoch, augment: aug }),
    ];
    const a = run(5);
    const b = run(5);
    assert.deepEqual(
      a.map((x) => x.dims),
      [
        [6, 2, 5, 5],
        [6, 2, 5, 5],
        [6, 2, 5, 5],
        [2, 2, 5, 5],
      ],
    );
    assert.deepEqual(
      a.map((x) => Array.from(x.x)),
      b.map((x) => Array.from(x.x)),
    );
    assert.notDeepEqual(
      a.map((x) => Array.from(x.x)),
      run(6).map((x) => Array.from(x.x)),
    );
    assert.notDeepEqual(
      a.map((x) => Array.from(x.x)),
      run(5, 1).map((x) => Array.from(x.x)),
    );
    const plain = order(ds, { batchSize: 6, shuffle: true, seed: 5 });
    assert.deepEqual(
      a.flatMap((x) => Array.from(x.indices)),
      plain,
    );
    assert.ok(
      a.some((x) => x.x.some((v) => v === 0)),
      'some padding shows up',
    );
  });

  test('each output is a shifted (and maybe mirrored) copy of its input, zero outside', () => {
    const [c, h, w] = ds.shape;
    const src = ds.images.subarray(0, c * h * w);
    const rng = new SeededRng(11);
    for (let trial = 0; trial < 50; trial++) {
      const dst = new Float32Array(src.length);
      augmentInto(src, dst, ds.shape, { cropPad: 2, flip: true, padValue: 0 }, rng);
      let matched = false;
      for (let dy = -2; dy <= 2 && !matched; dy++) {
        for (let dx = -2; dx <= 2 && !matched; dx++) {
          for (const flip of [false, true]) {
            let ok = true;
            for (let ch = 0; ch < c && ok; ch++) {
              for (let y = 0; y < h && ok; y++) {
                for (let x = 0; x < w && ok; x++) {
                  const sy = y + dy;
                  const sx = (flip ? w - 1 - x : x) + dx;
                  const want = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[ch * h * w + sy * w + sx] : 0;
                  ok = dst[ch * h * w + y * w + x] === want;
                }
              }
            }
            if (ok) matched = true;
          }
        }
      }
      assert.ok(matched, `trial ${trial}: output is not a padded crop/flip of the input`);
    }
  });

  test('needs [C,H,W] samples', () => {
    const flat = toy(4, [16]);
    assert.throws(() => [...batches(flat, { batchSize: 2, augment: { flip: true } })], /needs image samples/);
  });
});

describe('subset and take', () => {
  const ds = toy(10);
  test('subset copies chosen samples in order', () => {
    const s = subset(ds, [7, 2, 2]);
    assert.equal(s.count, 3);
    assert.deepEqual(Array.from(s.labels), [ds.labels[7], ds.labels[2], ds.labels[2]]);
    assert.deepEqual(Array.from(s.images.subarray(0, 16)), Array.from(ds.images.subarray(7 * 16, 8 * 16)));
    assert.throws(() => subset(ds, [10]), ReproError);
  });
  test('take is a prefix', () => {
    const t = take(ds, 4);
    assert.equal(t.count, 4);
    assert.equal(t.images.length, 64);
    assert.equal(take(ds, 100), ds);
    assert.throws(() => take(ds, 0), ReproError);
  });
});
