import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel } from '../../src/models/index.js';
import { foldBatchNorm } from '../../src/passes/foldbn/index.js';
import { serializeResiduals } from '../../src/passes/srn/index.js';
import { encodeModel, decodeModel } from '../../src/onnx/index.js';
import { randomInput, randomizeBn, relMaxDiff, runLogits, torchvisionStyle } from './helpers.js';

const cases = [
  { name: 'resnet-small', g: () => randomizeBn(buildModel('resnet-small', { seed: 2 })), x: [3, 1, 28, 28], blocks: 9 },
  { name: 'torchvision-style (projection shortcut)', g: () => torchvisionStyle(), x: [2, 3, 32, 32], blocks: 2 },
  {
    name: 'torchvision-style, signed block input',
    g: () => torchvisionStyle({ signedStem: true }),
    x: [2, 3, 32, 32],
    blocks: 2,
  },
];

describe('fold-bn preserves function', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const g = c.g();
      const r = foldBatchNorm(g);
      assert.equal(r.remaining.length, 0);
      assert.ok(!r.graph.nodes.some((n) => n.opType === 'BatchNormalization'));
      const x = randomInput(c.x);
      assert.ok(relMaxDiff(await runLogits(g, x), await runLogits(r.graph, x)) <= 1e-4);
    });
  }
});

describe('SRN: exact serialization, no Add', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const g = c.g();
      const r = serializeResiduals(g);
      assert.equal(r.serialized.length, c.blocks, JSON.stringify(r.kept));
      assert.ok(!r.graph.nodes.some((n) => n.opType === 'Add'), 'graph still has an Add');
      // Round-trip through the ONNX encoder so the result is a loadable model.
      const back = decodeModel(encodeModel(r.graph));
      const x = randomInput(c.x);
      const d = relMaxDiff(await runLogits(g, x), await runLogits(back, x));
      assert.ok(d <= 1e-4, `max rel diff ${d}`);
    });
  }
});

test('fold-bn folds BatchNorm after Gemm (transB=1) and keeps the function', async () => {
  const { NetBuilder } = await import('../../src/models/net-builder.js');
  const b = new NetBuilder('gemm-bn', 7, ['N', 20]);
  const x = b.relu(b.bn(b.linear('input', 'fc1', 20, 12), 'bn1', 12));
  const g = randomizeBn(b.finish(b.linear(x, 'fc2', 12, 5, 'logits'), 5), 3);
  const r = foldBatchNorm(g);
  assert.deepEqual(r.folded, ['bn1']);
  const inp = randomInput([4, 20]);
  assert.ok(relMaxDiff(await runLogits(g, inp), await runLogits(r.graph, inp)) <= 1e-4);
});
