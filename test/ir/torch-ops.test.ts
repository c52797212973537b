/**
 * Cross-check against PyTorch exports (Debian's /usr/bin/python3 with torch 1.13): tiny modules with LayerNorm,
 * GroupNorm, InstanceNorm, GELU (exact and tanh), Hardswish/Hardsigmoid, Mish and F.interpolate (nearest, bilinear
 * with and without align_corners, bicubic, explicit sizes, Upsample at opset 9, an FPN top-down path whose Resize
 * sizes come from Shape ops) are exported by test/ir/torch/export-ops.py. For each: ONNX Runtime reproduces PyTorch's
 * output, reprune's inferred shape of every value equals ORT's, the float64 reference evaluator agrees with ORT on
 * every intermediate value, and reprune's autodiff gives PyTorch's input gradient of Σ output·r. Skipped with a
 * message where torch is not installed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gradientGraph } from '../../src/autodiff/index.js';
import { A } from '../../src/ir/attrs.js';
import type { Graph } from '../../src/ir/graph.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { dtypeOf, inferShapes, shapeOf } from '../../src/ir/shape/index.js';
import { f32, type Tensor } from '../../src/ir/tensor.js';
import { loadOnnx } from '../../src/onnx/decode.js';
import { compile } from '../../src/runtime/session.js';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'torch', 'export-ops.py');

function pythonWithTorch(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

function readF32(file: string, dims: number[]): Tensor {
  const b = fs.readFileSync(file);
  return f32(dims, new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

/** max |a − b| ≤ tol · max |b| + 1e-5 over one tensor. */
function assertClose(got: ArrayLike<number | bigint>, want: ArrayLike<number | bigint>, tol: number, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(Number(want[i])));
    err = Math.max(err, Math.abs(Number(got[i]) - Number(want[i])));
  }
  assert.ok(err <= tol * scale + 1e-5, `${what}: max error ${err} (scale ${scale})`);
}

/** Every node output as a graph output (dtypes from shape inference), so one ORT run shows all values. */
function probeAll(g: Graph, typed: Graph): Graph {
  const p = g.clone(true);
  const names = p.nodes.flatMap((n) => n.outputs).filter((o) => o);
  p.outputs = names.map((name) => ({ name, dtype: dtypeOf(typed, name) }));
  return p;
}

async function checkExport(file: string, inDims: number[], outDims: number[]): Promise<void> {
  const g = loadOnnx(file);
  const base = file.replace(/\.onnx$/, '');
  const feeds = { input: readF32(`${base}.in.bin`, inDims) };
  const torchOut = readF32(`${base}.out.bin`, outDims);
  const ort = await (await compile(g)).run(feeds);
  assert.deepEqual(ort.output!.dims, outDims);
  assertClose(ort.output!.data as Float32Array, torchOut.data as Float32Array, 1e-4, 'ORT vs PyTorch');

  const symbolic = g.clone();
  inferShapes(symbolic);
  assert.equal(shapeOf(symbolic, 'output').length, outDims.length, 'rank of the symbolic output');
  const fixed = g.clone();
  inferShapes(fixed, { batch: inDims[0]! });
  const all = await (await compile(probeAll(g, fixed))).run(feeds);
  const ref = evaluateReference(g, feeds, { all: true });
  for (const [name, t] of Object.entries(all)) {
    assert.deepEqual(shapeOf(fixed, name), t.dims, `inferred shape of '${name}'`);
    assert.deepEqual(ref[name]!.dims, t.dims, `reference dims of '${name}'`);
    assertClose(ref[name]!.data, t.data, 1e-4, `reference value of '${name}'`);
  }
  await checkInputGradient(g, feeds, base, outDims);
}

/** reprune's autodiff on the export: d Σ(output·r) / d input equals PyTorch's autograd. */
async function checkInputGradient(model: Graph, feeds: { input: Tensor }, base: string, outDims: number[]) {
  const g = model.clone(true);
  g.addInitializer('r', readF32(`${base}.r.bin`, outDims), true);
  const [prod] = g.add('Mul', ['output', 'r']);
  g.add('ReduceSum', [prod!], { keepdims: A.int(0) }, { outputs: ['loss'] });
  inferShapes(g, { batch: feeds.input.dims[0]! });
  const tg = gradientGraph(g, { loss: 'loss', wrt: ['input'] });
  const res = await (await compile(tg.graph)).run(feeds);
  const want = readF32(`${base}.dx.bin`, feeds.input.dims);
  assertClose(res[tg.grads.input!]!.data as Float32Array, want.data as Float32Array, 1e-4, 'input gradient vs PyTorch');
}

const py = pythonWithTorch();

describe('PyTorch exports of the issue-15 ops', { skip: py ? false : 'python3 with torch is not installed' }, () => {
  test('reference kernels and shapes agree with ORT, ORT agrees with PyTorch', { timeout: 240_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-torch-ops-'));
    try {
      const r = spawnSync(py!, [SCRIPT, dir], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.ok(lines.length >= 14, r.stdout);
      for (const line of lines) {
        const [name, inDims, outDims] = line.split(' ') as [string, string, string];
        const dims = (s: string) => s.split(',').map(Number);
        await checkExport(path.join(dir, `${name}.onnx`), dims(inDims), dims(outDims)).catch((e: Error) => {
          throw new Error(`${name}: ${e.message}`);
        });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
