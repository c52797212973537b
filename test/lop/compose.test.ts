import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeAfter1x1, matmulF32, transposeF32 } from '../../src/passes/lop/compose.js';
import { lopExpand, lopMerge } from '../../src/passes/lop/index.js';
import { buildModel } from '../../src/models/index.js';
import { SeededRng } from '../../src/util/random.js';

const randn = (rng: SeededRng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// Reference products in float64 loops, the definitions the blocked versions must equal.
function naiveMatmul(b: Float32Array, a: Float32Array, m: number, p: number, k: number): Float64Array {
  const w = new Float64Array(m * k);
  for (let o = 0; o < m; o++)
    for (let q = 0; q < p; q++) for (let j = 0; j < k; j++) w[o * k + j]! += b[o * p + q]! * a[q * k + j]!;
  return w;
}

function naiveAfter1x1(b: Float32Array, a: Float32Array, cout: number, q: number, cin: number, taps: number) {
  const w = new Float64Array(cout * cin * taps);
  for (let o = 0; o < cout; o++)
    for (let p = 0; p < q; p++)
      for (let i = 0; i < cin; i++)
        for (let t = 0; t < taps; t++) w[(o * cin + i) * taps + t]! += b[(o * q + p) * taps + t]! * a[p * cin + i]!;
  return w;
}

test('matmulF32 equals the float64 definition: JS in one block and in many, and ORT (odd sizes)', async () => {
  const rng = new SeededRng(3);
  const [m, p, k] = [7, 13, 29];
  const b = randn(rng, m * p),
    a = randn(rng, p * k);
  const ref = naiveMatmul(b, a, m, p, k);
  for (const block of [1 << 22, 40, 1]) {
    const js = await matmulF32(b, a, m, p, k, { backend: 'js', blockDoubles: block });
    assert.ok(maxAbsDiff(js, ref) < 1e-5, `block ${block}`);
  }
  assert.ok(maxAbsDiff(await matmulF32(b, a, m, p, k, { backend: 'ort' }), ref) < 1e-4);
});

test('composeAfter1x1 equals the float64 definition: JS in one block and in many, and ORT (3×3 taps)', async () => {
  const rng = new SeededRng(4);
  const [cout, q, cin, taps] = [6, 11, 5, 9];
  const b = randn(rng, cout * q * taps),
    a = randn(rng, q * cin);
  const ref = naiveAfter1x1(b, a, cout, q, cin, taps);
  for (const block of [1 << 22, 200, 1]) {
    const js = await composeAfter1x1(b, a, cout, q, cin, taps, { backend: 'js', blockDoubles: block });
    assert.ok(maxAbsDiff(js, ref) < 1e-5, `block ${block}`);
  }
  for (const t of [taps, 1]) {
    const one = b.subarray(0, cout * q * t);
    const exact = naiveAfter1x1(one, a, cout, q, cin, t);
    assert.ok(
      maxAbsDiff(await composeAfter1x1(one, a, cout, q, cin, t, { backend: 'ort' }), exact) < 1e-4,
      `taps ${t}`,
    );
  }
});

test('a structure-only merge counts the same merges as the full one and leaves the input untouched', async () => {
  const expanded = (await lopExpand(buildModel('lenet5', { seed: 2 }), { rate: 2 })).graph;
  const before = [...expanded.initializers].map(([k, t]) => [k, Float32Array.from(t.data as Float32Array)] as const);
  const full = await lopMerge(expanded);
  const counted = await lopMerge(expanded, { structureOnly: true });
  assert.equal(counted.merged, full.merged);
  assert.ok(full.merged > 0);
  assert.deepEqual(
    counted.graph.nodes.map((n) => n.name),
    full.graph.nodes.map((n) => n.name),
  );
  for (const [k, data] of before) assert.deepEqual(expanded.initializers.get(k)!.data, data, k);
});

test('a structure-only expansion reports the layers the real one expands, without touching the graph', async () => {
  const g = buildModel('lenet5', { seed: 2 });
  const real = await lopExpand(g, { rate: 2 });
  const plan = await lopExpand(g, { rate: 2, structureOnly: true });
  assert.deepEqual(plan.expanded, real.expanded);
  assert.deepEqual(plan.skipped, real.skipped);
  assert.equal(plan.graph.nodes.length, g.nodes.length);
});

test('transposeF32 equals the element-wise definition across tile edges, from float32 and float64', () => {
  const rng = new SeededRng(8);
  for (const [rows, cols] of [
    [1, 1],
    [70, 131],
    [64, 64],
    [3, 200],
  ] as const) {
    const x = randn(rng, rows * cols);
    for (const src of [x, Float64Array.from(x)]) {
      const t = transposeF32(src, rows, cols);
      let bad = 0;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (t[j * rows + i] !== x[i * cols + j]) bad++;
      assert.equal(bad, 0, `${rows}×${cols}`);
    }
  }
});
