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
  test('permuting MLP neurons and head dims preserves the function (≤ 1e-4·max|f|); no layer keeps less', async () => {
    const g = buildModel('vit-small', { seed: 5 });
    const res = tileTrans(g, { mode: 'search', pattern: NM, sparsity: 0.5, skip: SKIP });
    const keys = res.permutations.map((p) => p.group);
    for (let b = 0; b < 4; b++) {
      assert.ok(keys.includes(`blocks.${b}.mlp.fc1.matmul`), `block ${b}: MLP neurons permuted`);
      assert.ok(keys.includes(`blocks.${b}.attn.v.matmul#heads`), `block ${b}: v·Wo head dims permuted`);
    }
    // The residual stream is permutable, but no swap helps all 17 of its readers at once: the search leaves it.
    assert.ok(!keys.some((k) => k.includes('patch_embed.proj')));
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
    for (const l of eff.layers) {
      assert.ok(l.permuted >= l.without - 1e-9, `${l.node}: ${l.permuted} ≥ ${l.without}`);
      assert.ok(l.unconstrained >= l.permuted && l.efficacy! >= 0 && l.efficacy! <= 1);
    }
    // fc2 (MLP neurons) and the projection (v's head dims) read permuted inputs and gain.
    for (const kind of ['mlp.fc2', 'attn.proj']) {
      const ls = eff.layers.filter((l) => l.node.endsWith(`${kind}.matmul`));
      assert.equal(ls.length, 4);
      assert.ok(
        ls.some((l) => l.permuted > l.without),
        `${kind}: some block keeps more after permuting`,
      );
    }
    assert.ok(eff.overall! > 0 && eff.overall! < 1);
  });
});
