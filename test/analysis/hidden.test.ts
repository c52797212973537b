/**
 * The hidden size of a transformer: the residual stream is one channel group from the patch embedding through every
 * block to the classifier. Permuting it is exact (zoo-permute.test.ts); cutting it changes LayerNorm statistics, so
 * it is refused unless asked (`--prune-hidden`), and when asked every tensor on the stream is sliced consistently.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { channelGroups, removeChannels, type ChannelGroup } from '../../src/analysis/coupling.js';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { f32, i64vec, numel } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { groupStatuses } from '../../src/passes/cut/groups.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import { randn } from './graphs.js';
import { maxAbs, maxDiff, runOn } from './helpers.js';

const hiddenOf = (g: Graph): ChannelGroup =>
  channelGroups(g).find((x) => x.producers.some((p) => p.node === 'patch_embed.proj'))!;

/** Elements of `t` (row-major `dims`) whose index along `axis` is in `keep`, in order. */
function sliceAxis(t: Float32Array, dims: number[], axis: number, keep: number[]): Float32Array {
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const k of keep) for (let j = 0; j < inner; j++) out.push(t[(o * dims[axis]! + k) * inner + j]!);
  return Float32Array.from(out);
}

describe('hidden size (residual stream) of vit-small', () => {
  test('is one group: patch embedding, 4 attention and 4 MLP writers, 17 readers, 9 LayerNorms, position embedding', () => {
    const hidden = hiddenOf(buildModel('vit-small', { seed: 1 }));
    assert.equal(hidden.fixed, false, hidden.reasons.join('; '));
    assert.equal(hidden.size, 64);
    const writers = [0, 1, 2, 3].flatMap((b) => [`blocks.${b}.attn.proj.matmul`, `blocks.${b}.mlp.fc2.matmul`]);
    assert.deepEqual(hidden.producers.map((p) => p.node).sort(), ['patch_embed.proj', ...writers].sort());
    assert.equal(hidden.consumers.length, 17); // q, k, v, fc1 of 4 blocks + head
    assert.equal(hidden.normalizedBy.length, 9);
    assert.ok(hidden.params.some((p) => p.tensor === 'pos_embed' && p.axis === 2));
  });

  test('is left alone by default, with the reason and the flag', () => {
    const g = buildModel('vit-small', { seed: 1 });
    const st = groupStatuses(g, { behaviour: false }).find((s) =>
      s.group.producers.some((p) => p.node === 'patch_embed.proj'),
    )!;
    assert.match(st.reason ?? '', /hidden size: normalized by 'blocks\.0\.norm1' and 8 more.*--prune-hidden/);
    const asked = groupStatuses(g, { behaviour: false, pruneHidden: true }).find((s) => s.key === st.key)!;
    assert.equal(asked.reason, undefined);
  });

  test('cut when asked: every tensor on the stream keeps exactly the kept channels; ORT equals the float64 reference', async () => {
    const g = buildModel('vit-small', { seed: 1 });
    const before = new Map([...g.initializers].map(([k, t]) => [k, { dims: [...t.dims], data: t.data.slice() }]));
    const keep = Array.from({ length: 64 }, (_, i) => i).filter((i) => i % 3 !== 1);
    removeChannels(g, hiddenOf(g), keep);
    const sliced = (name: string, axis: number) => {
      const b = before.get(name)!;
      assert.deepEqual(g.initializers.get(name)!.data, sliceAxis(b.data as Float32Array, b.dims, axis, keep), name);
    };
    sliced('patch_embed.proj.weight', 0);
    sliced('pos_embed', 2);
    sliced('blocks.2.norm1.weight', 0);
    sliced('blocks.2.norm2.bias', 0);
    sliced('blocks.1.attn.q.weight', 0);
    sliced('blocks.1.mlp.fc1.weight', 0);
    sliced('blocks.3.attn.proj.weight', 1);
    sliced('blocks.3.mlp.fc2.bias', 0);
    sliced('head.weight', 1);
    assert.deepEqual(g.initializers.get('blocks.0.mlp.fc1.bias')!.data, before.get('blocks.0.mlp.fc1.bias')!.data);
    assert.deepEqual([...(g.initializers.get('patch_embed.flatten_shape')!.data as BigInt64Array)], [0n, 43n, 49n]);
    const x = f32([2, 1, 28, 28], new SeededRng(4).fillNormal(new Float32Array(2 * 784)));
    const got = (await (await compile(g)).run({ input: x })).logits!;
    const want = evaluateReference(g, { input: x }).logits!;
    assert.deepEqual(got.dims, [2, 10]);
    const err = Math.max(...Array.from(want.data, (w, i) => Math.abs(Number(got.data[i]) - w)));
    assert.ok(err <= 1e-4 * Math.max(...Array.from(want.data, Math.abs)) + 1e-5, `max|Δ| ${err}`);
  });
});

/** conv → ReLU → ReduceMean over H, W (keepdims 0) → Gemm: the pool PyTorch exports for `x.mean((2, 3))`. */
function meanPoolNet(): Graph {
  const rng = new SeededRng(3);
  const g = new Graph();
  g.inputs = [{ name: 'input', dtype: 'float32', shape: ['N', 2, 5, 5] }];
  const w = g.addInitializer('conv.weight', randn(rng, [6, 2, 3, 3]), true);
  const c = g.add('Relu', [g.add('Conv', ['input', w], { kernel_shape: A.ints([3, 3]) }, { name: 'conv' })[0]!])[0]!;
  const axes = g.addInitializer('axes', i64vec([2, 3]), true);
  const pooled = g.add('ReduceMean', [c, axes], { keepdims: A.int(0) }, { name: 'pool' })[0]!;
  const fc = g.addInitializer('fc.weight', randn(rng, [4, 6]), true);
  g.add('Gemm', [pooled, fc], { transB: A.int(1) }, { name: 'fc', outputs: ['logits'] });
  g.outputs = [{ name: 'logits', dtype: 'float32', shape: ['N', 4] }];
  g.opset = 18;
  g.validate();
  return g;
}

describe('ReduceMean over positions', () => {
  test('is a pool: the conv channels reach the classifier, and cutting zeroed ones changes nothing', async () => {
    const g = meanPoolNet();
    const gr = channelGroups(g).find((x) => x.producers.some((p) => p.node === 'conv'))!;
    assert.equal(gr.fixed, false, gr.reasons.join('; '));
    assert.deepEqual(
      gr.consumers.map((c) => [c.node, c.block]),
      [['fc', 1]],
    );
    const fc = g.initializers.get('fc.weight')!.data as Float32Array;
    for (let r = 0; r < 4; r++) fc[r * 6 + 2] = fc[r * 6 + 5] = 0;
    const before = await runOn(g);
    removeChannels(g, gr, [0, 1, 3, 4]);
    assert.equal(numel(g.initializers.get('conv.weight')!.dims), 4 * 18);
    const after = await runOn(g);
    assert.ok(maxDiff(before, after) <= 1e-5 * maxAbs(before), `max diff ${maxDiff(before, after)}`);
  });
});
