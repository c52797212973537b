/**
 * Fine-tuning PyTorch exports that used to fail (issue 15): SqueezeNet and ShuffleNetV2 (overlapping MaxPool at
 * opset 13, ShuffleNet's chunk as Slice with Shape-computed bounds), MobileNetV3 (HardSigmoid/HardSwish) and a net
 * with LayerNorm, GELU and bilinear Resize at opset 17, exported by test/train/torch/export-nets.py. Each trains one
 * epoch on random 64×64 images (finite loss, weights move, opset kept, the result runs in ONNX Runtime), and
 * reprune's gradient of Σ logits·r with respect to the input equals PyTorch's float64 autograd (relative L2 error
 * ≤ 1e-4) — every backward rule of the net at once. (Weights deep inside an untrained MobileNetV3 barely move:
 * PyTorch's own gradients there are ~1e-10, so only a quarter of the tensors must change.)
 * Skipped with a message where torch/torchvision are not installed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/data/dataset.js';
import { gradientGraph } from '../../src/autodiff/index.js';
import { A } from '../../src/ir/attrs.js';
import type { Graph } from '../../src/ir/graph.js';
import { inferShapes } from '../../src/ir/shape/index.js';
import { f32, type Tensor } from '../../src/ir/tensor.js';
import { loadOnnx } from '../../src/onnx/decode.js';
import { compile } from '../../src/runtime/session.js';
import { trainModel } from '../../src/train/trainer.js';
import { SeededRng } from '../../src/util/random.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch', 'export-nets.py');

function pythonWithTorchvision(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

function randomImages(n: number): Dataset {
  const rng = new SeededRng(3);
  const images = Float32Array.from({ length: n * 3 * 64 * 64 }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { name: 'random', images, labels, count: n, shape: [3, 64, 64], numClasses: 10 };
}

function readF32(file: string, dims: number[]): Tensor {
  const b = fs.readFileSync(file);
  return f32(dims, new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

/** d Σ(logits·r) / d input from reprune's autodiff (inference-mode BatchNorm, as eval()) vs float64 autograd. */
async function checkInputGradient(model: Graph, base: string): Promise<void> {
  const g = model.clone(true);
  const logits = g.outputs[0]!.name;
  g.addInitializer('r', readF32(`${base}.r.bin`, [2, 10]), true);
  const [prod] = g.add('Mul', [logits, 'r']);
  g.add('ReduceSum', [prod!], { keepdims: A.int(0) }, { outputs: ['loss'] });
  inferShapes(g, { batch: 2 });
  const tg = gradientGraph(g, { loss: 'loss', wrt: ['input'], frozenBatchNorm: true });
  const res = await (await compile(tg.graph)).run({ input: readF32(`${base}.in.bin`, [2, 3, 64, 64]) });
  const got = res[tg.grads.input!]!.data as Float32Array;
  const want = readF32(`${base}.dx.bin`, [2, 3, 64, 64]).data as Float32Array;
  let norm = 0;
  let err = 0;
  want.forEach((w, i) => {
    norm += w * w;
    err += (got[i]! - w) ** 2;
  });
  const rel = Math.sqrt(err / norm);
  assert.ok(norm > 0 && rel <= 1e-4, `${base}: input gradient differs from PyTorch's by ${rel} (relative L2)`);
}

const py = pythonWithTorchvision();

describe('fine-tuning PyTorch exports', {
  skip: py ? false : 'python3 with torch and torchvision is not installed',
}, () => {
  test('SqueezeNet, ShuffleNetV2, MobileNetV3 (opset 13) and LayerNorm+GELU+Resize (opset 17) train one epoch', {
    timeout: 600_000,
  }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-torch-nets-'));
    try {
      const r = spawnSync(py!, [SCRIPT, dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const names = r.stdout.trim().split('\n');
      assert.equal(names.length, 4, r.stdout);
      for (const name of names) {
        const g = loadOnnx(path.join(dir, `${name}.onnx`));
        const res = await trainModel(g, randomImages(8), { epochs: 1, batchSize: 4, lr: 0.01 });
        assert.ok(Number.isFinite(res.history[0]!.loss), `${name}: loss ${res.history[0]!.loss}`);
        assert.equal(res.graph.opset, g.opset, `${name}: opset`);
        const moved = res.params.filter((p) => {
          const a = g.initializers.get(p)!.data as Float32Array;
          const b = res.graph.initializers.get(p)!.data as Float32Array;
          return b.some((v, i) => v !== a[i]);
        });
        assert.ok(moved.length >= res.params.length / 4, `${name}: only ${moved.length}/${res.params.length} moved`);
        const out = await (await compile(res.graph)).run({ input: f32([2, 3, 64, 64]) });
        assert.deepEqual(Object.values(out)[0]!.dims, [2, 10], name);
        await checkInputGradient(g, path.join(dir, name));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
