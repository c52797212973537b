import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRng } from '../../src/util/random.js';
import { applyBlockStates, blockGrid, STATE } from '../../src/passes/unify/blocks.js';
import { projectMatrices } from '../../src/passes/unify/projection.js';

function dist2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** Minimum over every assignment with exactly nu unified and np pruned blocks (3^n enumeration). */
function bruteForce(m: Float32Array, grid: ReturnType<typeof blockGrid>, nu: number, np: number): number {
  let best = Infinity;
  const states = new Uint8Array(grid.count);
  const out = new Float64Array(m.length);
  const rec = (b: number, u: number, p: number) => {
    if (b === grid.count) {
      if (u !== nu || p !== np) return;
      applyBlockStates(m, out, grid, states);
      best = Math.min(best, dist2(m, out));
      return;
    }
    for (const s of [STATE.free, STATE.unified, STATE.pruned]) {
      states[b] = s;
      rec(b + 1, u + (s === STATE.unified ? 1 : 0), p + (s === STATE.pruned ? 1 : 0));
    }
  };
  rec(0, 0, 0);
  return best;
}

test('block projection is the exact Euclidean projection (brute force, partial edge blocks)', () => {
  const rng = new SeededRng(7);
  for (let trial = 0; trial < 40; trial++) {
    const rows = 2 + rng.int(4),
      cols = 3 + rng.int(5);
    const bh = 1 + rng.int(2),
      bw = 1 + rng.int(3);
    const grid = blockGrid(rows, cols, { bh, bw });
    if (grid.count > 9) continue;
    const m = Float32Array.from({ length: rows * cols }, () => rng.normal() * (rng.next() < 0.3 ? 0.1 : 1));
    const unify = rng.next() * 0.6,
      prune = rng.next() * 0.4;
    const { projected, states } = projectMatrices([m], [grid], { unify, prune, scope: 'layer' });
    const nu = states[0]!.filter((s) => s === STATE.unified).length;
    const np = states[0]!.filter((s) => s === STATE.pruned).length;
    assert.equal(np, Math.round(prune * grid.count));
    assert.equal(nu, Math.min(grid.count - np, Math.round(unify * grid.count)));
    const ours = dist2(m, projected[0]!);
    const best = bruteForce(m, grid, nu, np);
    assert.ok(Math.abs(ours - best) <= 1e-5 * (1 + best), `trial ${trial}: ours ${ours} vs optimum ${best}`);
  }
});

test('global scope spreads the counts over all layers and is still optimal', () => {
  const rng = new SeededRng(3);
  const g1 = blockGrid(2, 4, { bh: 1, bw: 2 });
  const g2 = blockGrid(3, 2, { bh: 1, bw: 2 });
  const m1 = Float32Array.from({ length: 8 }, () => rng.normal());
  const m2 = Float32Array.from({ length: 6 }, () => rng.normal() * 0.2);
  const { projected, states } = projectMatrices([m1, m2], [g1, g2], { unify: 0.3, prune: 0.3, scope: 'global' });
  const all = [...states[0]!, ...states[1]!];
  assert.equal(all.filter((s) => s === STATE.pruned).length, 2);
  assert.equal(all.filter((s) => s === STATE.unified).length, 2);
  // Brute force over the concatenated blocks: treat the two layers as one 7-block problem.
  const joint = blockGrid(7, 2, { bh: 1, bw: 2 });
  const mj = Float32Array.from([...m1, ...m2]);
  const best = bruteForce(mj, joint, 2, 2);
  const ours = dist2(m1, projected[0]!) + dist2(m2, projected[1]!);
  assert.ok(Math.abs(ours - best) <= 1e-5 * (1 + best));
});

test('unified blocks share one magnitude and keep signs; pruned blocks are zero', () => {
  const rng = new SeededRng(11);
  const grid = blockGrid(8, 8, { bh: 4, bw: 4 });
  const m = Float32Array.from({ length: 64 }, () => rng.normal());
  const { projected, states } = projectMatrices([m], [grid], { unify: 0.5, prune: 0.25, scope: 'layer' });
  for (let b = 0; b < grid.count; b++) {
    const r0 = Math.floor(b / 2) * 4,
      c0 = (b % 2) * 4;
    const vals: number[] = [],
      orig: number[] = [];
    for (let r = r0; r < r0 + 4; r++)
      for (let c = c0; c < c0 + 4; c++) {
        vals.push(projected[0]![r * 8 + c]!);
        orig.push(m[r * 8 + c]!);
      }
    if (states[0]![b] === STATE.pruned) assert.ok(vals.every((v) => v === 0));
    if (states[0]![b] === STATE.unified) {
      const mag = Math.abs(vals[0]!);
      assert.ok(vals.every((v) => Math.abs(v) === mag));
      assert.ok(vals.every((v, i) => Math.sign(v) === (orig[i]! < 0 ? -1 : 1)));
      const mean = orig.reduce((s, v) => s + Math.abs(v), 0) / 16;
      assert.ok(Math.abs(mag - mean) < 1e-6);
    }
  }
});

test('accounting counts bits and multiplies per block state', async () => {
  const { accountLayer } = await import('../../src/passes/unify/accounting.js');
  const grid = blockGrid(4, 8, { bh: 2, bw: 4 }); // 4 blocks of 8 weights
  const states = Uint8Array.from([STATE.free, STATE.unified, STATE.pruned, STATE.unified]);
  const a = accountLayer(grid, states, 10);
  assert.equal(a.unifiedBlocks, 2);
  assert.equal(a.prunedBlocks, 1);
  assert.equal(a.bits, 2 * 4 + 32 * 8 + 2 * (32 + 8));
  assert.equal(a.denseBits, 32 * 32);
  assert.equal(a.multiplies, (8 + 2 + 2) * 10);
  assert.equal(a.denseMultiplies, 32 * 10);
});

/** The selection by its definition: comparator sorts (d = prune − unify, then prune, then unify), ties by block index. */
function selectByComparators(unify: number[], prune: number[], nu: number, np: number): Uint8Array {
  const n = unify.length;
  const states = new Uint8Array(n);
  const order = [...Array(n).keys()].sort((a, b) => prune[a]! - unify[a]! - (prune[b]! - unify[b]!) || a - b);
  let bestK = -1,
    best = Infinity;
  for (let k = np; k <= n - nu; k++) {
    const head = order
      .slice(0, k)
      .map((i) => prune[i]!)
      .sort((a, b) => a - b);
    const tail = order
      .slice(k)
      .map((i) => unify[i]!)
      .sort((a, b) => a - b);
    const cost = head.slice(0, np).reduce((s, v) => s + v, 0) + tail.slice(0, nu).reduce((s, v) => s + v, 0);
    if (cost < best) [best, bestK] = [cost, k];
  }
  const pick = (ids: number[], c: number[], m: number) => ids.sort((a, b) => c[a]! - c[b]! || a - b).slice(0, m);
  for (const b of pick(order.slice(0, bestK), prune, np)) states[b] = STATE.pruned;
  for (const b of pick(order.slice(bestK), unify, nu)) states[b] = STATE.unified;
  return states;
}

test('selectBlockStates (typed argsort) equals the comparator definition, ties and signed zeros included', async () => {
  const { selectBlockStates } = await import('../../src/passes/unify/select.js');
  const rng = new SeededRng(11);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rng.next() * 40);
    // Few distinct values, so equal keys (and −0 vs 0 differences) are common.
    const level = () => [0, -0, 0.5, 1, 2][Math.floor(rng.next() * 5)]!;
    const prune = Array.from({ length: n }, level);
    const unify = prune.map((p) => Math.min(p, level()));
    const np = Math.floor(rng.next() * (n + 1));
    const nu = Math.floor(rng.next() * (n - np + 1));
    assert.deepEqual(
      [...selectBlockStates(unify, prune, nu, np)],
      [...selectByComparators(unify, prune, nu, np)],
      `trial ${trial}: n ${n}, nu ${nu}, np ${np}`,
    );
  }
});
