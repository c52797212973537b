import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { loadDataset } from '../../src/data/sources.js';
import { forEachBatch, withOutputs } from '../../src/runtime/capture.js';
import { compile } from '../../src/runtime/session.js';
import { f32 } from '../../src/ir/tensor.js';
import { ReproError } from '../../src/util/errors.js';

const mnist = () => loadDataset('mnist', 'test');

/** Output value of the first node of the given op type whose name starts with `prefix`. */
function valueAfter(g: ReturnType<typeof buildModel>, opType: string, index = 0): string {
  return g.nodes.filter((n) => n.opType === opType)[index]!.outputs[0]!;
}

describe('activation capture', () => {
  test('withOutputs adds outputs on a clone and leaves the original alone', () => {
    const g = buildModel('lenet5');
    const relu1 = valueAfter(g, 'Relu');
    const c = withOutputs(g, [relu1, 'logits']);
    assert.deepEqual(
      c.outputs.map((o) => o.name),
      ['logits', relu1],
    );
    assert.deepEqual(
      g.outputs.map((o) => o.name),
      ['logits'],
    );
    assert.equal(
      c.initializers.get('conv1.weight'),
      g.initializers.get('conv1.weight'),
      'weights are shared, not copied',
    );
    assert.throws(
      () => withOutputs(g, ['nope']),
      (e: unknown) => e instanceof ReproError && /'nope'/.test(e.message),
    );
  });

  test('forEachBatch streams batches with the right shapes, offsets and labels', async () => {
    const g = buildModel('lenet5', { seed: 1 });
    const relu1 = valueAfter(g, 'Relu');
    const flat = valueAfter(g, 'Flatten');
    const ds = mnist();
    const seen: Array<[number, number, number[], number[], number[]]> = [];
    const stats = await forEachBatch(
      g,
      ds,
      [relu1, flat, 'logits'],
      (out, n, info) => {
        seen.push([n, info.offset, out[relu1]!.dims, out[flat]!.dims, out.logits!.dims]);
        assert.deepEqual(Array.from(info.labels), Array.from(ds.labels.subarray(info.offset, info.offset + n)));
      },
      { batchSize: 64, limit: 150 },
    );
    assert.deepEqual(seen, [
      [64, 0, [64, 6, 28, 28], [64, 400], [64, 10]],
      [64, 64, [64, 6, 28, 28], [64, 400], [64, 10]],
      [22, 128, [22, 6, 28, 28], [22, 400], [22, 10]],
    ]);
    assert.equal(stats.samples, 150);
    assert.equal(stats.batches, 3);
  });

  test('captured values equal a direct ORT run; fixed-batch padding is trimmed', async () => {
    const g = buildModel('resnet-small', { seed: 2 });
    const mid = valueAfter(g, 'Add', 3); // first block of stage 2: 32 channels at 14×14
    const ds = mnist();
    const fixed = g.clone(true);
    fixed.inputs[0]!.shape = [8, 1, 28, 28];
    fixed.outputs[0]!.shape = [8, 10];
    const got: number[][] = [];
    let sum = 0;
    await forEachBatch(
      fixed,
      ds,
      [mid, 'logits'],
      (out, n) => {
        assert.deepEqual(out[mid]!.dims, [n, 32, 14, 14]);
        got.push(...chunk(out.logits!.data as Float32Array, 10));
        for (const v of out[mid]!.data as Float32Array) sum += v;
      },
      { limit: 11 },
    );
    assert.equal(got.length, 11);
    const runner = await compile(withOutputs(g, [mid]));
    const ref = await runner.run({ input: f32([11, 1, 28, 28], ds.images.slice(0, 11 * 784)) });
    const want = chunk(ref.logits!.data as Float32Array, 10);
    for (let i = 0; i < 11; i++) for (let j = 0; j < 10; j++) assert.ok(Math.abs(got[i]![j]! - want[i]![j]!) < 1e-4);
    let refSum = 0;
    for (const v of ref[mid]!.data as Float32Array) refSum += v;
    assert.ok(Math.abs(sum - refSum) < 1e-3 * Math.abs(refSum));
  });
});

function chunk(a: Float32Array, k: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += k) out.push(Array.from(a.subarray(i, i + k)));
  return out;
}
