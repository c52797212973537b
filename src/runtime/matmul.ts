/**
 * Big float32 matrix products in ONNX Runtime: one MatMul session with symbolic sizes, shared by every call.
 * MLAS's kernels run many times faster than reprune's JS GEMM (4 GFLOP/s on one core), which is what makes
 * LOP expand/merge of 2048-wide layers take seconds rather than minutes. Small products stay in JS, where the
 * session call would cost more than the arithmetic.
 */
import { Graph } from '../ir/graph.js';
import { f32 } from '../ir/tensor.js';
import { compile } from './session.js';

/** Products under this many multiply-adds run in the caller's JS kernel instead (`ortWorthIt`). */
export const ORT_MATMUL_MIN_MACS = 1 << 22;

export function ortWorthIt(m: number, k: number, n: number): boolean {
  return m * k * n >= ORT_MATMUL_MIN_MACS;
}

let product: Graph | undefined;

function matmulGraph(): Graph {
  if (product) return product;
  const g = new Graph();
  g.name = 'reprune-matmul';
  g.opset = 13;
  g.inputs = [
    { name: 'a', dtype: 'float32', shape: ['m', 'k'] },
    { name: 'b', dtype: 'float32', shape: ['k', 'n'] },
  ];
  g.outputs = [{ name: 'c', dtype: 'float32', shape: ['m', 'n'] }];
  g.add('MatMul', ['a', 'b'], {}, { outputs: ['c'] });
  product = g;
  return g;
}

/** C = A·B for row-major float32 A [m, k] and B [k, n], accumulated in float32 by ORT. */
export async function ortMatmul(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Promise<Float32Array> {
  if (a.length < m * k || b.length < k * n) throw new Error(`ortMatmul: operands smaller than ${m}x${k} and ${k}x${n}`);
  const runner = await compile(matmulGraph());
  const out = await runner.run({ a: f32([m, k], a.subarray(0, m * k)), b: f32([k, n], b.subarray(0, k * n)) });
  return out.c!.data as Float32Array;
}
