/**
 * SynFlow / TEDEPR's flow score on a net whose |θ| network overflows float32 (deep, no normalisation — as a BN-folded
 * export re-initialised for TEDEPR): the weights are shrunk until R is finite, and on a chain of layers (every path
 * through every layer) that changes no score's share of the total.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../src/ir/graph.js';
import { f32 } from '../../src/ir/tensor.js';
import { synflowScores } from '../../src/passes/pai/synflow.js';
import { SeededRng } from '../../src/util/random.js';

/** x [N, 16] → 45 × (MatMul 16×16 with weights in U(0, scale)) → ReLU between: the |θ| net gains ≈ 8·scale per layer. */
function deepChain(scale: number): { g: Graph; params: string[] } {
  const rng = new SeededRng(2);
  const g = new Graph();
  g.name = 'deep-chain';
  g.inputs = [{ name: 'x', dtype: 'float32', shape: ['N', 16] }];
  let x = 'x';
  const params: string[] = [];
  for (let l = 0; l < 45; l++) {
    const w = g.addInitializer(
      `w${l}`,
      f32(
        [16, 16],
        Array.from({ length: 256 }, () => scale * rng.next()),
      ),
      true,
    );
    params.push(w);
    x = g.add('MatMul', [x, w], {}, { name: `fc${l}` })[0]!;
    if (l < 44) x = g.add('Relu', [x])[0]!;
  }
  g.outputs = [{ name: x, dtype: 'float32', shape: ['N', 16] }];
  g.validate();
  return { g, params };
}

const shares = (scores: Record<string, ArrayLike<number>>) => {
  const all = Object.values(scores).flatMap((s) => Array.from(s));
  const total = all.reduce((a, b) => a + b, 0);
  return all.map((v) => v / total);
};

test('an overflowing |θ| network is shrunk until finite; on a chain every score keeps its share', async () => {
  const big = deepChain(1); // R ≈ 16·8^45 > 3.4e38: overflows at α = 1
  const small = deepChain(0.25); // the same net ×0.25: R ≈ 1e13, no shrinking needed
  const a = await synflowScores(big.g, big.params);
  const b = await synflowScores(small.g, small.params);
  const sa = shares(a.scores);
  const sb = shares(b.scores);
  assert.ok(sa.every(Number.isFinite) && sa.some((v) => v > 0));
  let worst = 0;
  for (let i = 0; i < sa.length; i++) worst = Math.max(worst, Math.abs(sa[i]! - sb[i]!) / Math.max(sb[i]!, 1e-12));
  assert.ok(worst < 1e-3, `largest relative change of a score's share: ${worst}`);
});
