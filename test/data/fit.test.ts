import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { layoutFor, parseNormalize } from '../../src/data/fit.js';
import { throwsNaming } from './helpers.js';

const ds: Dataset = {
  name: 'mnist/test',
  images: new Float32Array(784),
  labels: new Int32Array(1),
  count: 1,
  shape: [1, 28, 28],
  numClasses: 10,
};

describe('layoutFor', () => {
  test('NCHW and flat inputs, symbolic batch', () => {
    assert.equal(layoutFor(ds, ['N', 1, 28, 28], 'm.onnx'), 'nchw');
    assert.equal(layoutFor(ds, [-1, 1, 'H', 28], 'm.onnx'), 'nchw');
    assert.equal(layoutFor(ds, ['batch', 784], 'm.onnx'), 'flat');
  });
  test('wrong image size names model and dataset', () => {
    throwsNaming(
      () => layoutFor(ds, [1, 3, 32, 32], 'resnet.onnx'),
      'resnet.onnx',
      /input \[1, 3, 32, 32\] does not fit mnist\/test samples \[1, 28, 28\]/,
    );
    throwsNaming(() => layoutFor(ds, ['N', 1024], 'mlp.onnx'), 'mlp.onnx', /\[\?, 1024\] does not fit/);
  });
});

describe('parseNormalize', () => {
  test('parses MEAN,STD', () => {
    assert.deepEqual(parseNormalize('0.1307, 0.3081'), { mean: 0.1307, std: 0.3081 });
  });
  test('rejects bad values', () => {
    for (const bad of ['0.5', '0.5,0', 'a,b', '1,2,3', ',1'])
      throwsNaming(() => parseNormalize(bad), '--normalize', /expected MEAN,STD/);
  });
});
