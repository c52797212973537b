import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { buildDataset } from '../../src/data/dataset.js';
import { writeIdx } from '../../src/data/idx.js';
import { writeNpy } from '../../src/data/npy.js';
import { clearDatasetCache, findSplitFiles, loadDataset } from '../../src/data/sources.js';
import { tempDir, throwsNaming } from './helpers.js';

const root = tempDir();
let n = 0;
function fresh(): string {
  const d = path.join(root, `d${n++}`);
  mkdirSync(d);
  return d;
}

describe('directory datasets', () => {
  test('IDX .gz with t10k naming', () => {
    const d = fresh();
    writeIdx(path.join(d, 't10k-images-idx3-ubyte.gz'), Uint8Array.from([0, 255, 51, 102, 0, 0, 0, 255]), [2, 2, 2]);
    writeIdx(path.join(d, 't10k-labels-idx1-ubyte.gz'), Uint8Array.from([3, 1]), [2]);
    const ds = loadDataset(d, 'test', { numClasses: 4 });
    assert.equal(ds.count, 2);
    assert.deepEqual(ds.shape, [1, 2, 2]);
    assert.deepEqual(Array.from(ds.images), [0, 1, 0.2, 0.4, 0, 0, 0, 1].map(Math.fround));
    assert.deepEqual(Array.from(ds.labels), [3, 1]);
    assert.equal(ds.numClasses, 4);
  });

  test('x_train.npy / y_train.npy, float32 kept, int64 labels, classes inferred', () => {
    const d = fresh();
    writeNpy(path.join(d, 'x_train.npy'), Float32Array.from([0.5, -1, 2, 3, 4, 5]), [3, 2]);
    writeNpy(path.join(d, 'y_train.npy'), BigInt64Array.from([0n, 2n, 1n]), [3]);
    const ds = loadDataset(d, 'train');
    assert.deepEqual(ds.shape, [2]);
    assert.deepEqual(Array.from(ds.images), [0.5, -1, 2, 3, 4, 5]);
    assert.deepEqual(Array.from(ds.labels), [0, 2, 1]);
    assert.equal(ds.numClasses, 3);
  });

  test('test_images.npy NHWC uint8 becomes NCHW /255', () => {
    const d = fresh();
    // one 2x2 RGB image, pixels (r,g,b): (255,0,51) (0,255,102) (0,0,0) (51,51,255)
    const hwc = [255, 0, 51, 0, 255, 102, 0, 0, 0, 51, 51, 255];
    writeNpy(path.join(d, 'test_images.npy'), Uint8Array.from(hwc), [1, 2, 2, 3]);
    writeNpy(path.join(d, 'test_labels.npy'), Int32Array.from([0]), [1]);
    const ds = loadDataset(d, 'test', { numClasses: 2 });
    assert.deepEqual(ds.shape, [3, 2, 2]);
    const chw = [255, 0, 0, 51, 0, 255, 0, 51, 51, 102, 0, 255];
    assert.deepEqual(
      Array.from(ds.images),
      chw.map((v) => Math.fround(v * (1 / 255))),
    );
  });

  test('NHWC uint8 and float32 with two samples and --normalize: NCHW per sample, (x/255 − mean)/std in one pass', () => {
    const d = fresh();
    // two 2x1 RGB images (H = 2: an H of 1 or 3 reads as NCHW); sample k pixel p channel c holds 10·k + 3·p + c (+ 100 for the float copy)
    const hwc = Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 6) + 3 * Math.floor((i % 6) / 3) + (i % 3));
    const nchw = (k: number) => [0, 1, 2].flatMap((c) => [0, 1].map((p) => 10 * k + 3 * p + c));
    writeNpy(path.join(d, 'test_images.npy'), Uint8Array.from(hwc), [2, 2, 1, 3]);
    writeNpy(path.join(d, 'test_labels.npy'), Int32Array.from([0, 1]), [2]);
    const ds = loadDataset(d, 'test', { normalize: { mean: 0.5, std: 0.25 } });
    assert.deepEqual(ds.shape, [3, 2, 1]);
    const a = 1 / 255 / 0.25;
    const expected = [...nchw(0), ...nchw(1)].map((v) => Math.fround(v * a + -0.5 / 0.25));
    assert.deepEqual(Array.from(ds.images), expected);
    const f = fresh();
    writeNpy(
      path.join(f, 'test_images.npy'),
      Float32Array.from(hwc, (v) => v + 100),
      [2, 2, 1, 3],
    );
    writeNpy(path.join(f, 'test_labels.npy'), Int32Array.from([0, 1]), [2]);
    const fl = loadDataset(f, 'test');
    assert.deepEqual(
      Array.from(fl.images),
      [...nchw(0), ...nchw(1)].map((v) => v + 100),
      'float pixels kept as they are',
    );
  });

  test('missing split lists the conventions looked for', () => {
    const d = fresh();
    throwsNaming(
      () => loadDataset(d, 'train'),
      d,
      /no train split found; looked for train-images\*\/train-labels\*.*x_train\.npy\/y_train\.npy.*train_images\.npy/,
    );
  });

  test('not a directory or known name', () => {
    throwsNaming(
      () => loadDataset(path.join(root, 'nowhere'), 'test'),
      'nowhere',
      /not 'mnist', 'fashion-mnist' or an existing directory/,
    );
  });

  test('missing fashion-mnist says how to install it', () => {
    const old = process.env.REPRUNE_FASHION_MNIST_DIR;
    const missing = path.join(root, 'no-fashion');
    process.env.REPRUNE_FASHION_MNIST_DIR = missing;
    try {
      clearDatasetCache();
      throwsNaming(
        () => loadDataset('fashion-mnist', 'train'),
        missing,
        /Fashion-MNIST not found at .*install it with: apt-get install dataset-fashion-mnist/,
      );
    } finally {
      if (old === undefined) delete process.env.REPRUNE_FASHION_MNIST_DIR;
      else process.env.REPRUNE_FASHION_MNIST_DIR = old;
    }
  });

  test('plain files win over .gz', () => {
    const d = fresh();
    for (const f of ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte'])
      writeIdx(path.join(d, f), new Uint8Array(1), [1]);
    assert.equal(path.basename(findSplitFiles(d, 'train').images), 'train-images-idx3-ubyte');
  });
});

describe('bad data', () => {
  test('image/label count mismatch names both files', () => {
    const d = fresh();
    const img = path.join(d, 'train-images-idx3-ubyte');
    const lbl = path.join(d, 'train-labels-idx1-ubyte');
    writeIdx(img, new Uint8Array(3 * 4), [3, 2, 2]);
    writeIdx(lbl, Uint8Array.from([0, 1]), [2]);
    throwsNaming(() => loadDataset(d, 'train'), img, /3 images but .*train-labels-idx1-ubyte has 2 labels/);
  });

  test('label out of range', () => {
    const d = fresh();
    writeIdx(path.join(d, 'train-images-idx3-ubyte'), new Uint8Array(3 * 4), [3, 2, 2]);
    const lbl = path.join(d, 'train-labels-idx1-ubyte');
    writeIdx(lbl, Uint8Array.from([0, 12, 1]), [3]);
    throwsNaming(
      () => loadDataset(d, 'train', { numClasses: 10 }),
      lbl,
      /label 12 at index 1 is out of range for 10 classes/,
    );
  });

  test('negative label', () => {
    const d = fresh();
    writeNpy(path.join(d, 'x_train.npy'), new Float32Array(2), [2, 1]);
    const lbl = path.join(d, 'y_train.npy');
    writeNpy(lbl, Int32Array.from([0, -1]), [2]);
    throwsNaming(() => loadDataset(d, 'train'), lbl, /label -1 at index 1 is out of range/);
  });

  test('NaN and Inf in float images', () => {
    for (const bad of [NaN, Infinity]) {
      const d = fresh();
      const img = path.join(d, 'x_test.npy');
      writeNpy(img, Float32Array.from([0, 1, 0.5, bad]), [2, 2]);
      writeNpy(path.join(d, 'y_test.npy'), Uint8Array.from([0, 1]), [2]);
      throwsNaming(
        () => loadDataset(d, 'test'),
        img,
        new RegExp(`image value ${bad} at element 3 \\(sample 1\\) is not finite`),
      );
    }
  });

  test('empty dataset', () => {
    const d = fresh();
    const img = path.join(d, 'train-images-idx3-ubyte');
    writeIdx(img, new Uint8Array(0), [0, 28, 28]);
    writeIdx(path.join(d, 'train-labels-idx1-ubyte'), new Uint8Array(0), [0]);
    throwsNaming(() => loadDataset(d, 'train'), img, /empty dataset/);
  });

  test('labels with the wrong rank', () => {
    const raw = {
      name: 'x',
      imagesFile: 'imgs.idx',
      labelsFile: 'lbls.idx',
      images: { data: new Uint8Array(4), dims: [2, 2] },
      labels: { data: new Uint8Array(4), dims: [2, 2] },
    };
    throwsNaming(() => buildDataset(raw), 'lbls.idx', /labels must be 1-D/);
  });

  test('bad normalize', () => {
    const raw = {
      name: 'x',
      imagesFile: 'imgs.idx',
      labelsFile: 'lbls.idx',
      images: { data: new Uint8Array(4), dims: [2, 2] },
      labels: { data: new Uint8Array(2), dims: [2] },
    };
    throwsNaming(() => buildDataset(raw, { normalize: { mean: 0.5, std: 0 } }), '--normalize', /std a positive number/);
  });
});
