/** Magnitude importance behind a LayerNorm: the weight as if the norm's scale were folded into it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemmViewOf, readGemmMatrix } from '../../src/ir/gemm-view.js';
import { f32 } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { normScaleOfInput } from '../../src/passes/importance/input-scale.js';
import { layerImportance, planTilePrune } from '../../src/passes/tile/prune.js';
import { SeededRng } from '../../src/util/random.js';

const NM = { kind: 'nm', n: 2, m: 4 } as const;

test('a MatMul reading a LayerNorm scores |γ_c·W[c, :]|; layers reading anything else score |W|', () => {
  const g = buildModel('vit-small', { seed: 3 });
  const rng = new SeededRng(2);
  const gamma = Float32Array.from({ length: 64 }, () => rng.normal());
  g.initializers.set('blocks.1.norm2.weight', f32([64], gamma));
  const node = (name: string) => g.nodes.find((n) => n.name === name)!;
  const fc1 = gemmViewOf(g, node('blocks.1.mlp.fc1.matmul'))!;
  assert.equal(normScaleOfInput(g, fc1), gamma);
  const w = readGemmMatrix(g.initializers.get(fc1.weight)!, fc1);
  const imp = layerImportance(g, fc1, 'l1');
  for (let r = 0; r < fc1.rows; r++)
    for (let c = 0; c < fc1.cols; c++)
      assert.equal(imp[r * fc1.cols + c], Math.fround(Math.abs(w[r * fc1.cols + c]!) * Math.abs(gamma[c]!)));
  const fc2 = gemmViewOf(g, node('blocks.1.mlp.fc2.matmul'))!;
  assert.equal(normScaleOfInput(g, fc2), undefined);
  assert.deepEqual(layerImportance(g, fc2, 'l1'), readGemmMatrix(g.initializers.get(fc2.weight)!, fc2).map(Math.abs));
});

test('2:4 masks equal those of the model with every LayerNorm scale folded into its readers', () => {
  const g = buildModel('vit-small', { seed: 4 });
  const rng = new SeededRng(5);
  const norms = g.nodes.filter((n) => n.opType === 'LayerNormalization');
  for (const n of norms)
    g.initializers.set(
      n.inputs[1]!,
      f32(
        [64],
        Float32Array.from({ length: 64 }, () => rng.normal()),
      ),
    );
  // The folded model: readers' weight rows times γ, every γ = 1 (β is irrelevant to the masks).
  const folded = g.clone(true);
  for (const n of norms) {
    const gamma = g.initializers.get(n.inputs[1]!)!.data as Float32Array;
    for (const r of g.nodes.filter((m) => m.inputs[0] === n.outputs[0] && m.opType === 'MatMul')) {
      const t = folded.initializers.get(r.inputs[1]!)!;
      const [rows, cols] = t.dims as [number, number];
      const d = (t.data as Float32Array).map((v, i) => v * gamma[Math.floor(i / cols)]!);
      folded.initializers.set(r.inputs[1]!, f32([rows, cols], d));
    }
    folded.initializers.set(n.inputs[1]!, f32([64], new Float32Array(64).fill(1)));
  }
  const opts = { pattern: NM, sparsity: 0.5, skip: ['patch_embed.proj', 'head'], scope: 'layer' as const };
  const a = planTilePrune(g, opts);
  const b = planTilePrune(folded, opts);
  assert.ok(a.layers.length >= 24);
  a.layers.forEach((l, i) => {
    assert.deepEqual(l.mask, b.layers[i]!.mask, l.node);
  });
});
