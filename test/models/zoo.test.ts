import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, ZOO_ARCHS, isZooArch } from '../../src/models/index.js';
import { f32, tensorsEqual } from '../../src/ir/tensor.js';
import { decodeModel, encodeModel } from '../../src/onnx/index.js';
import { compile } from '../../src/runtime/session.js';
import { ReproError } from '../../src/util/errors.js';
import { SeededRng } from '../../src/util/random.js';

function randomInput(dims: number[]): Float32Array {
  return new SeededRng(7).fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)));
}

describe('model zoo', () => {
  for (const arch of ZOO_ARCHS) {
    test(`${arch} builds, validates, round-trips and runs in ORT with logits [N, 10]`, async () => {
      const g = buildModel(arch, { seed: 1 });
      g.validate();
      assert.equal(g.opset, 17);
      assert.equal(g.irVersion, 8);
      assert.equal(g.inputs.length, 1);
      assert.equal(g.inputs[0]!.name, 'input');
      assert.deepEqual(g.inputs[0]!.shape, arch === 'mlp' ? ['N', 784] : ['N', 1, 28, 28]);
      assert.deepEqual(
        g.outputs.map((o) => [o.name, o.shape]),
        [['logits', ['N', 10]]],
      );
      const back = decodeModel(encodeModel(g));
      assert.equal(back.initializers.size, g.initializers.size);
      const dims = arch === 'mlp' ? [3, 784] : [3, 1, 28, 28];
      const out = await (await compile(g)).run({ input: f32(dims, randomInput(dims)) });
      const logits = out.logits!;
      assert.deepEqual(logits.dims, [3, 10]);
      assert.ok(Array.from(logits.data as Float32Array).every(Number.isFinite));
      // Untrained logits must not be degenerate (all equal) — init actually happened.
      assert.ok(new Set(Array.from(logits.data as Float32Array)).size > 10);
    });
  }

  test('same seed gives bit-identical weights, another seed different ones', () => {
    const a = buildModel('lenet5', { seed: 3 });
    const b = buildModel('lenet5', { seed: 3 });
    const c = buildModel('lenet5', { seed: 4 });
    for (const [k, t] of a.initializers) assert.ok(tensorsEqual(t, b.initializers.get(k)!), k);
    assert.ok(!tensorsEqual(a.initializers.get('conv1.weight')!, c.initializers.get('conv1.weight')!));
  });

  test('PyTorch-style initializer names', () => {
    const names = (arch: string) => [...buildModel(arch).initializers.keys()];
    assert.deepEqual(names('mlp'), ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    assert.deepEqual(names('lenet5').slice(0, 4), ['conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias']);
    const r = names('resnet-small');
    for (const n of [
      'conv1.weight',
      'bn1.running_var',
      'layer1.0.conv1.weight',
      'layer2.0.downsample.0.weight',
      'layer3.0.downsample.1.running_mean',
      'layer3.2.bn2.bias',
      'fc.weight',
      'fc.bias',
    ])
      assert.ok(r.includes(n), n);
    assert.ok(!r.includes('layer1.0.downsample.0.weight'), 'stage 1 uses identity shortcuts');
    assert.ok(!r.includes('conv1.bias'), 'convs before BN have no bias');
    const v = names('vgg-small');
    for (const n of ['features.0.weight', 'features.1.running_mean', 'features.17.weight', 'classifier.4.bias'])
      assert.ok(v.includes(n), n);
    const x = names('alexnet-small');
    for (const n of ['features.0.weight', 'features.10.bias', 'classifier.0.weight', 'classifier.4.weight'])
      assert.ok(x.includes(n), n);
  });

  test('fresh BatchNorm state: mean 0, var 1, gamma 1, beta 0', () => {
    const g = buildModel('resnet-small');
    const bns = g.nodes.filter((n) => n.opType === 'BatchNormalization');
    assert.equal(bns.length, 21);
    for (const n of bns) {
      const [gamma, beta, mean, variance] = n.inputs
        .slice(1)
        .map((i) => Array.from(g.initializers.get(i)!.data as Float32Array));
      assert.ok(gamma!.every((v) => v === 1) && beta!.every((v) => v === 0), n.name);
      assert.ok(mean!.every((v) => v === 0) && variance!.every((v) => v === 1), n.name);
    }
  });

  test('weights follow PyTorch default init bounds U(±1/sqrt(fan_in))', () => {
    const g = buildModel('lenet5', { seed: 11 });
    const w = g.initializers.get('conv2.weight')!.data as Float32Array; // fan_in 6·5·5 = 150
    const bound = 1 / Math.sqrt(150);
    let maxAbs = 0;
    let sumSq = 0;
    for (const v of w) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sumSq += v * v;
    }
    assert.ok(maxAbs <= bound && maxAbs > 0.95 * bound);
    // Variance of U(−b, b) is b²/3.
    assert.ok(Math.abs(sumSq / w.length / ((bound * bound) / 3) - 1) < 0.1);
  });

  test('numClasses and bad arch', async () => {
    const g = buildModel('resnet-small', { numClasses: 7 });
    assert.deepEqual(g.outputs[0]!.shape, ['N', 7]);
    assert.deepEqual(g.initializers.get('fc.weight')!.dims, [7, 64]);
    assert.throws(
      () => buildModel('vgg19'),
      (e: unknown) => e instanceof ReproError && /vgg19.*mlp, lenet5/.test(e.message),
    );
    assert.throws(() => buildModel('mlp', { numClasses: 1 }), ReproError);
    assert.ok(isZooArch('alexnet-small') && !isZooArch('alexnet'));
  });
});
