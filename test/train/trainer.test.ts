import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDataset } from '../../src/data/sources.js';
import { subset } from '../../src/data/dataset.js';
import { tensorsEqual } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { NetBuilder } from '../../src/models/net-builder.js';
import { SeededRng } from '../../src/util/random.js';
import { trainModel } from '../../src/train/trainer.js';
import { evaluate } from '../../src/runtime/evaluate.js';

/** conv(4, 3×3) → BN → ReLU → MaxPool → Flatten → Linear: tiny, but exercises BN running statistics. */
function tinyBnNet() {
  const b = new NetBuilder('tiny-bn', 3, ['N', 1, 28, 28]);
  let x = b.conv('input', 'conv1', { cin: 1, cout: 4, k: 3, pad: 1, bias: false });
  x = b.maxPool(b.relu(b.bn(x, 'bn1', 4)));
  return b.finish(b.linear(b.flatten(x), 'fc', 4 * 14 * 14, 10, 'logits'), 10);
}

const mnist = (n: number) => loadDataset('mnist', 'train', { limit: n });

describe('trainModel', () => {
  test('overfits 64 MNIST images (loss near zero)', async () => {
    const ds = subset(
      mnist(64),
      Array.from({ length: 64 }, (_, i) => i),
    );
    const res = await trainModel(buildModel('lenet5'), ds, {
      epochs: 60,
      batchSize: 32,
      lr: 0.05,
      optimizer: { kind: 'sgd', momentum: 0.9 },
      seed: 1,
    });
    const first = res.history[0]!.loss,
      last = res.history.at(-1)!.loss;
    assert.ok(first > 1.5, `initial loss ${first}`);
    assert.ok(last < 0.05, `final loss ${last}`);
    assert.equal(res.history.at(-1)!.trainAcc, 1);
  });

  test('masked fine-tuning keeps every masked weight exactly 0', async () => {
    const g = buildModel('lenet5');
    const rng = new SeededRng(5);
    const masks: Record<string, Uint8Array> = {};
    for (const p of ['conv2.weight', 'fc1.weight', 'fc1.bias']) {
      const n = g.initializers.get(p)!.data.length;
      masks[p] = Uint8Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 1));
    }
    const res = await trainModel(g, mnist(256), {
      epochs: 2,
      batchSize: 32,
      lr: 0.05,
      optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
      masks,
      evalDs: loadDataset('mnist', 'test', { limit: 300 }),
      evalBatchSize: 128,
    });
    // The trainer's per-epoch evaluation (weights fed to one compiled graph) agrees with evaluate().
    const ev = await evaluate(res.graph, loadDataset('mnist', 'test', { limit: 300 }));
    assert.equal(res.history.at(-1)!.testAcc, ev.accuracy);
    assert.ok(Math.abs(res.history.at(-1)!.testLoss! - ev.loss) < 1e-5);
    for (const [p, m] of Object.entries(masks)) {
      const w = res.graph.initializers.get(p)!.data as Float32Array;
      const w0 = g.initializers.get(p)!.data as Float32Array;
      let changed = 0;
      for (let i = 0; i < w.length; i++) {
        if (m[i] === 0) assert.equal(w[i], 0, `${p}[${i}] = ${w[i]}`);
        else if (w[i] !== w0[i]) changed++;
      }
      assert.ok(changed > 0, `${p}: unmasked weights did not train`);
    }
    // The input graph is not modified (its masked weights are still non-zero).
    const m = masks['fc1.weight']!;
    const w0 = g.initializers.get('fc1.weight')!.data as Float32Array;
    assert.ok(w0.some((v, i) => m[i] === 0 && v !== 0));
  });

  test('resume after interruption equals uninterrupted training bit-for-bit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-train-'));
    try {
      const ds = mnist(320);
      const base = {
        epochs: 2,
        batchSize: 32,
        lr: 0.05,
        seed: 9,
        optimizer: { kind: 'sgd' as const, momentum: 0.9, weightDecay: 5e-4 },
        schedule: 'cosine' as const,
      };
      const full = await trainModel(tinyBnNet(), ds, base);
      const ck = path.join(dir, 'ck.onnx');
      await assert.rejects(
        trainModel(tinyBnNet(), ds, {
          ...base,
          checkpoint: { path: ck },
          hooks: {
            beforeStep: ({ step }) => {
              if (step === 13) throw new Error('interrupted');
            },
          },
        }),
        /interrupted/,
      );
      assert.ok(fs.existsSync(ck) && !fs.existsSync(`${ck}.train.json`));
      const resumed = await trainModel(tinyBnNet(), ds, { ...base, checkpoint: { path: ck }, resume: true });
      assert.equal(resumed.history.length, 2);
      assert.equal(resumed.history[0]!.loss, full.history[0]!.loss);
      assert.equal(resumed.history[1]!.loss, full.history[1]!.loss);
      for (const [name, t] of full.graph.initializers) {
        assert.ok(tensorsEqual(t, resumed.graph.initializers.get(name)!), `${name} differs after resume`);
      }
      const rv = full.graph.initializers.get('bn1.running_var')!.data as Float32Array;
      assert.ok(
        rv.some((v) => v !== 1),
        'BatchNorm running statistics were not updated',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a NaN loss stops with a ReproError and keeps the last good checkpoint', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-nan-'));
    try {
      const ck = path.join(dir, 'ck.onnx');
      // 8 steps per epoch; from step 10 on the learning rate explodes.
      await assert.rejects(
        trainModel(buildModel('mlp'), mnist(256), {
          epochs: 3,
          batchSize: 32,
          lr: 0.01,
          schedule: (s) => (s < 10 ? 0.01 : 1e30),
          checkpoint: { path: ck },
        }),
        (e: Error) => e.name === 'ReproError' && /diverged/.test(e.message) && e.message.includes(ck),
      );
      const { loadCheckpoint } = await import('../../src/train/checkpoint.js');
      const c = loadCheckpoint(ck);
      assert.equal(c.state.epochsDone, 1);
      assert.ok([...c.model.initializers.values()].every((t) => (t.data as Float32Array).every(Number.isFinite)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
