/** gatherAxis (the copy every permutation and channel cut makes) equals its element-wise definition for runs short and long. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherAxis } from '../../src/analysis/coupling-apply.js';
import { f32, i64 } from '../../src/ir/tensor.js';

/** out[o, i, k] = in[o, src[i], k] over the row-major view [outer, len, inner]. */
function reference(data: ArrayLike<number | bigint>, dims: number[], axis: number, src: number[]): (number | bigint)[] {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = dims[axis]!;
  const out: (number | bigint)[] = [];
  for (let o = 0; o < outer; o++)
    for (const s of src) for (let k = 0; k < inner; k++) out.push(data[(o * len + s) * inner + k]!);
  return out;
}

test('gatherAxis equals the element-wise gather for inner runs of 1, 9 and 70, float32 and int64', () => {
  for (const [dims, axis] of [
    [[5, 7], 1],
    [[6, 4, 3, 3], 1],
    [[3, 5, 70], 1],
    [[8, 3], 0],
  ] as [number[], number][]) {
    const n = dims.reduce((a, b) => a * b, 1);
    const len = dims[axis]!;
    const src = [len - 1, 0, ...Array.from({ length: len - 2 }, (_, i) => i + 1).reverse(), 0]; // a repeat too
    const x = f32(
      dims,
      Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10),
    );
    const y = gatherAxis(x, axis, src);
    assert.deepEqual(
      y.dims,
      dims.map((d, i) => (i === axis ? src.length : d)),
    );
    assert.deepEqual(Array.from(y.data as Float32Array), reference(x.data as Float32Array, dims, axis, src));
    const xi = i64(
      dims,
      Array.from({ length: n }, (_, i) => i * 3 - 7),
    );
    const yi = gatherAxis(xi, axis, src);
    assert.deepEqual(Array.from(yi.data as BigInt64Array), reference(xi.data as BigInt64Array, dims, axis, src));
  }
});
