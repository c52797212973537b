/**
 * A transformer block exported by PyTorch itself (opset 17, separate q/k/v nn.Linear, view + transpose to heads,
 * LayerNorm, exact GELU), with a static and with a dynamic batch: the attention block is found and head pruning keeps
 * the float64 reference of the pruned block. Skipped with a message where python3 with torch is absent.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { attentionBlocks } from '../../src/analysis/attention-heads.js';
import { applyPermutation, channelGroups, groupKey } from '../../src/analysis/coupling.js';
import { headDimGroups } from '../../src/analysis/head-dims.js';
import type { Graph } from '../../src/ir/graph.js';
import { f32, numel } from '../../src/ir/tensor.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { loadModelChecked } from '../../src/onnx/prepare.js';
import { cutHeads, planHeads } from '../../src/passes/heads/prune-heads.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import { tmpDir } from '../cli/helpers.js';
import { randomPerm } from './helpers.js';

function pythonWithTorch(): string | undefined {
  for (const py of ['/usr/bin/python3', 'python3'])
    if (spawnSync(py, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0) return py;
  return undefined;
}

const EXPORT = `
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Attn(nn.Module):
    def __init__(s, d=32, h=4):
        super().__init__(); s.h = h; s.d = d // h
        s.q = nn.Linear(d, d); s.k = nn.Linear(d, d); s.v = nn.Linear(d, d); s.o = nn.Linear(d, d)
    def forward(s, x):
        B, T, D = x.shape
        q = s.q(x).view(B, T, s.h, s.d).transpose(1, 2)
        k = s.k(x).view(B, T, s.h, s.d).transpose(1, 2)
        v = s.v(x).view(B, T, s.h, s.d).transpose(1, 2)
        a = ((q @ k.transpose(-2, -1)) / (s.d ** 0.5)).softmax(-1)
        return s.o((a @ v).transpose(1, 2).reshape(B, T, D))
class Block(nn.Module):
    def __init__(s, d=32):
        super().__init__()
        s.n1 = nn.LayerNorm(d); s.a = Attn(d); s.n2 = nn.LayerNorm(d)
        s.f1 = nn.Linear(d, 64); s.g = nn.GELU(); s.f2 = nn.Linear(64, d)
    def forward(s, x):
        x = x + s.a(s.n1(x))
        return x + s.f2(s.g(s.f1(s.n2(x))))
class Fused(nn.Module):
    def __init__(s, d=32, h=4, gather=False):
        super().__init__(); s.h = h; s.d = d // h; s.gather = gather
        s.qkv = nn.Linear(d, 3 * d); s.proj = nn.Linear(d, d)
    def forward(s, x):
        B, N, C = x.shape
        qkv = s.qkv(x).reshape(B, N, 3, s.h, s.d).permute(2, 0, 3, 1, 4)
        q, k, v = (qkv[0], qkv[1], qkv[2]) if s.gather else qkv.unbind(0)
        a = ((q @ k.transpose(-2, -1)) * s.d ** -0.5).softmax(-1)
        return s.proj((a @ v).transpose(1, 2).reshape(B, N, C))
dyn = sys.argv[2] != 'static'
if sys.argv[2].startswith('fused'):
    torch.onnx.export(Fused(gather=sys.argv[2] == 'fused-gather').eval(), torch.randn(2, 7, 32), sys.argv[1],
                      opset_version=17, input_names=['x'], output_names=['y'], dynamic_axes={'x': {0: 'N'}, 'y': {0: 'N'}})
    sys.exit(0)
torch.onnx.export(Block().eval(), torch.randn(2, 7, 32), sys.argv[1], opset_version=17, input_names=['x'],
                  output_names=['y'], dynamic_axes={'x': {0: 'N'}, 'y': {0: 'N'}} if dyn else None)
`;

const py = pythonWithTorch();

/** ORT output of `pruned` = float64 reference of `g` with the removed heads' projection rows zeroed (8 × 32 each). */
async function assertPrunedMatches(g: Graph, pruned: Graph, projWeight: string, gone: number[], batch: number) {
  const dense = g.clone(true);
  const w = dense.initializers.get(projWeight)!;
  const d = (w.data as Float32Array).slice();
  for (const h of gone) d.fill(0, h * 8 * 32, (h + 1) * 8 * 32);
  dense.initializers.set(projWeight, f32(w.dims, d));
  const rng = new SeededRng(1);
  const x = f32(
    [batch, 7, 32],
    Float32Array.from({ length: numel([batch, 7, 32]) }, () => rng.normal()),
  );
  const got = (await (await compile(pruned)).run({ x })).y!.data as Float32Array;
  const want = evaluateReference(dense, { x }).y!.data;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  assert.ok(err <= 1e-5 * scale + 1e-6, `max|Δ| ${err} of ${scale}`);
  assert.ok(scale > 0.01);
}

describe('PyTorch-exported transformer block', {
  skip: py ? false : 'python3 with torch and onnx is not installed',
}, () => {
  const dir = tmpDir('reprune-torch-attn-');
  for (const kind of ['fused', 'fused-gather']) {
    test(`timm-style ${kind} qkv: one MatMul split into q/k/v; heads cut whole from all three parts`, async () => {
      const file = path.join(dir, `attn-${kind}.onnx`);
      const r = spawnSync(py!, ['-c', EXPORT, file, kind], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const g = loadModelChecked(file);
      const [b] = attentionBlocks(g);
      assert.ok(b, 'the fused attention block is matched');
      assert.deepEqual([b.heads, b.headDim, b.q.part, b.k.part, b.v.part], [4, 8, 0, 1, 2]);
      const cuts = planHeads(g, { method: 'l1', ratio: 0.25 });
      const pruned = cutHeads(g, cuts);
      assert.deepEqual(pruned.initializers.get(b.q.weight)!.dims, [32, 72]);
      const gone = [0, 1, 2, 3].filter((h) => !cuts[0]!.keep.includes(h));
      await assertPrunedMatches(g, pruned, b.proj.weight, gone, 3);
    });

    test(`timm-style ${kind} qkv: permuting inside heads (q with k, v with the projection) preserves the block`, async () => {
      const file = path.join(dir, `attn-${kind}-perm.onnx`);
      const r = spawnSync(py!, ['-c', EXPORT, file, kind], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const g = loadModelChecked(file);
      const groups = headDimGroups(g);
      // Both groups sit in the one fused weight, at the q/k and v thirds of its columns.
      assert.deepEqual(
        groups.map((gr) => gr.producers.map((p) => p.offset)),
        [[0, 32], [64]],
      );
      const permuted = g.clone(true);
      const rng = new SeededRng(3);
      for (const gr of groups) applyPermutation(permuted, gr, randomPerm(gr, rng));
      const x = f32(
        [3, 7, 32],
        Float32Array.from({ length: 3 * 7 * 32 }, () => rng.normal()),
      );
      const a = (await (await compile(g)).run({ x })).y!.data as Float32Array;
      const b = (await (await compile(permuted)).run({ x })).y!.data as Float32Array;
      let err = 0;
      for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
      assert.ok(err <= 1e-4 * Math.max(...Array.from(a, Math.abs)), `max|Δ| ${err}`);
    });
  }
  for (const kind of ['static', 'dyn']) {
    test(`${kind} batch: heads found; ORT output of the head-pruned block equals the float64 reference`, async () => {
      const file = path.join(dir, `block-${kind}.onnx`);
      const r = spawnSync(py!, ['-c', EXPORT, file, kind], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const g = loadModelChecked(file);
      const [b] = attentionBlocks(g);
      assert.ok(b, 'the exported attention block is matched');
      assert.deepEqual([b.heads, b.headDim], [4, 8]);
      assert.deepEqual(
        channelGroups(g)
          .filter((x) => !x.fixed)
          .map(groupKey),
        ['/f1/MatMul'],
      );
      const cuts = planHeads(g, { method: 'l1', ratio: 0.5 });
      const pruned = cutHeads(g, cuts);
      const gone = [0, 1, 2, 3].filter((h) => !cuts[0]!.keep.includes(h));
      await assertPrunedMatches(g, pruned, b.proj.weight, gone, kind === 'dyn' ? 3 : 2);
    });
  }
});
