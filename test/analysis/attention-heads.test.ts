import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionBlocks } from '../../src/analysis/attention-heads.js';
import { removeHeads } from '../../src/analysis/attention-heads-apply.js';
import { applyPermutation, channelGroups, groupKey, removeChannels } from '../../src/analysis/coupling.js';
import { headDimGroups } from '../../src/analysis/head-dims.js';
import { modelMetrics } from '../../src/analysis/metrics.js';
import { A } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64vec, numel, scalarF32, type Tensor } from '../../src/ir/tensor.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { buildModel } from '../../src/models/index.js';
import { pruneStructured } from '../../src/passes/cut/prune.js';
import { parsePattern } from '../../src/passes/tile/pattern.js';
import { nmEfficacy } from '../../src/passes/tiletrans/efficacy.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';
import { maxAbs as vitMaxAbs, maxDiff as vitMaxDiff, randomPerm, runOn } from './helpers.js';

const [B, T, D, H, F] = [2, 5, 12, 3, 20];
const hd = D / H;

function randn(rng: SeededRng, dims: number[], s = 0.4): Tensor {
  return f32(
    dims,
    Float32Array.from({ length: numel(dims) }, () => rng.normal() * s),
  );
}

/**
 * A BERT-style encoder block by hand: Reshape [0, -1, H, d], k transposed twice, Div by √d, an additive mask
 * [1, 1, 1, T], post-norm LayerNormalization, and an Erf-GELU MLP with MatMul weights in [in, out] layout.
 */
function bertBlock(seed = 1): Graph {
  const rng = new SeededRng(seed);
  const g = new Graph();
  g.opset = 17;
  g.inputs = [{ name: 'x', dtype: 'float32', shape: [B, T, D] }];
  const w = (name: string, dims: number[]) => g.addInitializer(name, randn(rng, dims), true);
  const lin = (x: string, p: string, i: number, o: number) =>
    g.add('Add', [g.add('MatMul', [x, w(`${p}.weight`, [i, o])], {}, { name: p })[0]!, w(`${p}.bias`, [o])])[0]!;
  const split = g.addInitializer('split', i64vec([0, -1, H, hd]), true);
  const heads = (p: string) => g.add('Reshape', [lin('x', p, D, D), split], {}, { name: `${p}.reshape` })[0]!;
  const tr = (x: string, perm: number[]) => g.add('Transpose', [x], { perm: A.ints(perm) })[0]!;
  const q = tr(heads('q'), [0, 2, 1, 3]);
  const k = tr(tr(heads('k'), [0, 2, 1, 3]), [0, 1, 3, 2]);
  const v = tr(heads('v'), [0, 2, 1, 3]);
  const s = g.add('Div', [g.add('MatMul', [q, k])[0]!, g.addInitializer('sqrt_d', scalarF32(Math.sqrt(hd)), true)])[0]!;
  const mask = g.addInitializer('mask', f32([1, 1, 1, T], [0, 0, -3, 0, -1]), true);
  const p = g.add('Softmax', [g.add('Add', [s, mask])[0]!], { axis: A.int(-1) })[0]!;
  const ctx = tr(g.add('MatMul', [p, v])[0]!, [0, 2, 1, 3]);
  const merged = g.add('Reshape', [ctx, g.addInitializer('merge', i64vec([0, 0, D]), true)])[0]!;
  const ln = (x: string, name: string) =>
    g.add('LayerNormalization', [x, w(`${name}.weight`, [D]), w(`${name}.bias`, [D])], { axis: A.int(-1) })[0]!;
  const h1 = ln(g.add('Add', ['x', lin(merged, 'o', D, D)])[0]!, 'ln1');
  const f1 = lin(h1, 'fc1', D, F);
  const c = (n: string, val: number) => g.addInitializer(n, scalarF32(val), true);
  const erf = g.add('Erf', [g.add('Div', [f1, c('sqrt2', Math.SQRT2)])[0]!])[0]!;
  const gelu = g.add('Mul', [g.add('Mul', [f1, g.add('Add', [erf, c('one', 1)])[0]!])[0]!, c('half', 0.5)])[0]!;
  const y = ln(g.add('Add', [h1, lin(gelu, 'fc2', F, D)])[0]!, 'ln2');
  g.add('Identity', [y], {}, { outputs: ['y'] });
  g.outputs = [{ name: 'y', dtype: 'float32', shape: [B, T, D] }];
  g.validate();
  return g;
}

const input = (seed = 3) => randn(new SeededRng(seed), [B, T, D], 1);

async function ort(g: Graph, x: Tensor): Promise<Float32Array> {
  return (await (await compile(g)).run({ x })).y!.data as Float32Array;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { err: number; scale: number } {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { err, scale };
}

/** Zero rows [from, to) of a 2-D initializer: the dense model in which those heads/neurons contribute nothing. */
function zeroRows(g: Graph, name: string, rows: number[], width: number): void {
  const t = g.initializers.get(name)!;
  const d = (t.data as Float32Array).slice();
  const cols = t.dims[1]!;
  for (const r of rows) for (let j = 0; j < width; j++) d.fill(0, (r * width + j) * cols, (r * width + j + 1) * cols);
  g.initializers.set(name, f32(t.dims, d));
}

describe('attention heads', () => {
  test('vit-small: 4 blocks of 4 heads × 16 found; MLP neurons and the residual stream are coupled groups', () => {
    const g = buildModel('vit-small');
    const blocks = attentionBlocks(g);
    assert.deepEqual(
      blocks.map((b) => [b.key, b.heads, b.headDim]),
      [0, 1, 2, 3].map((i) => [`blocks.${i}.attn.proj.matmul`, 4, 16]),
    );
    assert.equal(blocks[0]!.q.bias, 'blocks.0.attn.q.bias');
    const free = channelGroups(g).filter((gr) => !gr.fixed);
    const stream = [0, 1, 2, 3].flatMap((i) => [`blocks.${i}.attn.proj.matmul`, `blocks.${i}.mlp.fc2.matmul`]);
    assert.deepEqual(free.map(groupKey), [
      [...stream, 'patch_embed.proj'].sort().join('+'),
      ...[0, 1, 2, 3].map((i) => `blocks.${i}.mlp.fc1.matmul`),
    ]);
    // The stream (hidden size) is permutable; only the MLP neurons are cut by default (hidden.test.ts).
    assert.equal(free[0]!.normalizedBy.length, 9);
  });

  test('hand-built BERT block: ORT output of the head-pruned block equals the float64 reference of that block', async () => {
    const g = bertBlock();
    const [b] = attentionBlocks(g);
    assert.ok(b, 'the BERT-style block is matched');
    assert.deepEqual([b.heads, b.headDim, b.q.bias, b.proj.weight], [H, hd, 'q.bias', 'o.weight']);
    const pruned = g.clone(true);
    removeHeads(pruned, b, [0, 2]);
    assert.deepEqual(pruned.initializers.get('k.weight')!.dims, [D, 2 * hd]);
    assert.deepEqual(pruned.initializers.get('o.weight')!.dims, [2 * hd, D]);
    // Reference: the dense block in float64 with head 1's output-projection rows zeroed (it then adds nothing).
    const dense = g.clone(true);
    zeroRows(dense, 'o.weight', [1], hd);
    const x = input();
    const want = evaluateReference(dense, { x }).y!.data;
    const { err, scale } = maxDiff(await ort(pruned, x), want);
    assert.ok(err <= 1e-5 * scale + 1e-6, `max|Δ| ${err}`);
    assert.ok(scale > 0.1);
  });

  test('removing a head whose output-projection rows are zero changes nothing (ORT)', async () => {
    const g = bertBlock(4);
    zeroRows(g, 'o.weight', [2], hd);
    const pruned = g.clone(true);
    removeHeads(pruned, attentionBlocks(g)[0]!, [0, 1]);
    const x = input(5);
    const { err, scale } = maxDiff(await ort(pruned, x), await ort(g, x));
    assert.ok(err <= 1e-5 * scale, `max|Δ| ${err}`);
  });

  test('a permutation of heads preserves the function (≤ 1e-4·max|f|)', async () => {
    const g = bertBlock(6);
    const permuted = g.clone(true);
    removeHeads(permuted, attentionBlocks(g)[0]!, [2, 0, 1]);
    const x = input(7);
    const { err, scale } = maxDiff(await ort(permuted, x), await ort(g, x));
    assert.ok(err <= 1e-4 * scale, `max|Δ| ${err}`);
  });

  test('MLP neuron pruning (L1) on the hand-built block equals the float64 reference with those neurons zeroed', async () => {
    const g = bertBlock(8);
    const res = pruneStructured(g, { method: 'l1', ratio: 0.25 });
    assert.deepEqual(res.channels, { fc1: [F, 15] });
    const kept = new Set(res.graph.initializers.get('fc1.bias')!.data as Float32Array);
    const fc1b = g.initializers.get('fc1.bias')!.data as Float32Array;
    const gone = [...Array(F).keys()].filter((i) => !kept.has(fc1b[i]!));
    assert.equal(gone.length, 5);
    const dense = g.clone(true);
    zeroRows(dense, 'fc2.weight', gone, 1);
    const x = input(9);
    const { err, scale } = maxDiff(await ort(res.graph, x), evaluateReference(dense, { x }).y!.data);
    assert.ok(err <= 1e-5 * scale + 1e-6, `max|Δ| ${err}`);
  });

  test('zoo vit-small: L1 pruning of 30% MLP neurons and one head per block stays a valid ORT model with fewer MACs', async () => {
    const g = buildModel('vit-small', { seed: 1 });
    const res = pruneStructured(g, { method: 'l1', ratio: 0.3 });
    const pruned = res.graph;
    for (const b of attentionBlocks(pruned)) removeHeads(pruned, b, [0, 1, 2]);
    assert.equal(pruned.initializers.get('blocks.3.mlp.fc1.weight')!.dims[1], 90);
    assert.equal(pruned.initializers.get('blocks.3.attn.v.weight')!.dims[1], 48);
    const x = randn(new SeededRng(2), [3, 1, 28, 28], 1);
    const out = (await (await compile(pruned)).run({ input: x })).logits!;
    assert.deepEqual(out.dims, [3, 10]);
    assert.ok(modelMetrics(pruned).totals.macs < 0.8 * modelMetrics(g).totals.macs);
  });
});

describe('permutations inside heads (head-dims.ts)', () => {
  test('two groups per block: q with k, v with the projection rows; cuts every head; never removed', () => {
    const g = bertBlock(2);
    const groups = headDimGroups(g);
    assert.deepEqual(
      groups.map((gr) => [groupKey(gr), gr.size, gr.cuts, gr.fixed]),
      [
        ['k+q#heads', D, [0, 4, 8, 12], false],
        ['v#heads', D, [0, 4, 8, 12], false],
      ],
    );
    assert.deepEqual(
      groups[1]!.consumers.map((c) => [c.weight, c.axis]),
      [['o.weight', 0]],
    );
    assert.throws(() => removeChannels(g, groups[1]!, [0, 1, 2, 3, 4, 5, 6, 7]), /heads are cut whole/);
  });

  test('random within-head permutations preserve the BERT block and vit-small (≤ 1e-4·max|f|)', async () => {
    const rng = new SeededRng(4);
    const g = bertBlock(3);
    const p = g.clone(true);
    for (const gr of headDimGroups(p)) applyPermutation(p, gr, randomPerm(gr, rng));
    assert.notDeepEqual(p.initializers.get('q.weight')!.data, g.initializers.get('q.weight')!.data);
    const x = input(4);
    const { err, scale } = maxDiff(await ort(p, x), await ort(g, x));
    assert.ok(err <= 1e-4 * scale, `BERT block: max|Δ| ${err}`);
    const vit = buildModel('vit-small', { seed: 2 });
    const pv = vit.clone(true);
    const groups = headDimGroups(pv);
    assert.equal(groups.length, 8);
    for (const gr of groups) applyPermutation(pv, gr, randomPerm(gr, rng));
    const [a, b] = [await runOn(vit), await runOn(pv)];
    assert.ok(vitMaxDiff(a, b) <= 1e-4 * vitMaxAbs(a), `vit-small: max|Δ| ${vitMaxDiff(a, b)}`);
  });

  test('TileTrans search for 2:4 moves head dimensions, and no layer keeps less than unpermuted', () => {
    const g = buildModel('vit-small', { seed: 1 });
    const pattern = parsePattern('2:4') as Parameters<typeof nmEfficacy>[2];
    const r = tileTrans(g, { mode: 'search', pattern, sparsity: 0.5 });
    const heads = r.permutations.filter((p) => p.group.endsWith('#heads'));
    assert.ok(
      heads.some((p) => p.group === 'blocks.0.attn.v.matmul#heads'),
      'v·Wo groups are searched',
    );
    for (const p of heads)
      for (let i = 0; i < p.perm.length; i++) assert.equal(Math.floor(p.perm[i]! / 16), Math.floor(i / 16));
    const eff = nmEfficacy(g, r.graph, pattern);
    for (const l of eff.layers) assert.ok(l.permuted >= l.without - 1e-9, `${l.node} keeps less after permuting`);
    assert.ok(eff.overall! > 0);
  });
});
