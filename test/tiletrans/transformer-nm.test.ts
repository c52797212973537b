import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { f32, numel } from '../../src/ir/tensor.js';
import { buildModel } from '../../src/models/index.js';
import { tileTrans } from '../../src/passes/tiletrans/index.js';
import { nmEfficacy } from '../../src/passes/tiletrans/efficacy.js';
import { compile } from '../../src/runtime/session.js';
import { SeededRng } from '../../src/util/random.js';

const NM = { kind: 'nm', n: 2, m: 4 } as const;
const SKIP = ['patch_embed.proj', 'head'];

describe('2:4 on the zoo ViT with TileTrans permutations', () => {
  test('permuting MLP neurons preserves the function (≤ 1e-4·max|f|) and raises the 2:4-kept importance of fc2', async () => {
    const g = buildModel('vit-small', { seed: 5 });
    const res = tileTrans(g, { mode: 'search', pattern: NM, sparsity: 0.5, skip: SKIP });
    assert.equal(res.permutations.length, 4, 'one permutation per MLP');
    const rng = new SeededRng(1);
    const x = f32(
      [4, 1, 28, 28],
      Float32Array.from({ length: numel([4, 1, 28, 28]) }, () => rng.normal()),
    );
    const a = (await (await compile(g)).run({ input: x })).logits!.data as Float32Array;
    const b = (await (await compile(res.graph)).run({ input: x })).logits!.data as Float32Array;
    let err = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      err = Math.max(err, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(a[i]!));
    }
    assert.ok(err <= 1e-4 * scale, `max|Δ| ${err} of ${scale}`);
    const eff = nmEfficacy(g, res.graph, NM, SKIP);
    assert.equal(eff.layers.length, 24);
    const fc2 = eff.layers.filter((l) => l.node.endsWith('mlp.fc2.matmul'));
    assert.equal(fc2.length, 4);
    for (const l of fc2) {
      assert.ok(l.permuted > l.without, `${l.node}: ${l.permuted} > ${l.without}`);
      assert.ok(l.unconstrained >= l.permuted && l.efficacy! > 0 && l.efficacy! <= 1);
    }
    // Layers whose input is the fixed residual stream cannot gain: efficacy 0 there.
    const q = eff.layers.find((l) => l.node === 'blocks.0.attn.q.matmul')!;
    assert.equal(q.efficacy, 0);
    assert.ok(eff.overall! > 0 && eff.overall! < 1);
  });
});
