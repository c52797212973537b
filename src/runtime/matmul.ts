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

const products = new Map<string, Graph>();

/** C = A·B with A [m, k] and B [k, n], or B [batch, k, n] (A broadcast over the batch); one graph per rank. */
function matmulGraph(batched: boolean): Graph {
  const key = batched ? 'batched' : 'plain';
  const known = products.get(key);
  if (known) return known;
  const g = new Graph();
  g.name = `reprune-matmul-${key}`;
  g.opset = 13;
  const lead = batched ? ['batch'] : [];
  g.inputs = [
    { name: 'a', dtype: 'float32', shape: ['m', 'k'] },
    { name: 'b', dtype: 'float32', shape: [...lead, 'k', 'n'] },
  ];
  g.outputs = [{ name: 'c', dtype: 'float32', shape: [...lead, 'm', 'n'] }];
  g.add('MatMul', ['a', 'b'], {}, { outputs: ['c'] });
  products.set(key, g);
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
  const runner = await compile(matmulGraph(false));
  const out = await runner.run({ a: f32([m, k], a.subarray(0, m * k)), b: f32([k, n], b.subarray(0, k * n)) });
  return out.c!.data as Float32Array;
}

/**
 * C[β] = A·B[β] for every β of B [batch, k, n], A [m, k] shared: C [batch, m, n]. ONNX MatMul's broadcasting runs
 * one MLAS GEMM per β without materializing A's copies; for LOP's k×k layers (n = taps) this measured as fast as
 * one big GEMM and needs none of the axis swaps the plain product does (329 vs 456 ms at 2048×2048×9 by 512).
 */
export async function ortMatmulBatched(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  batch: number,
): Promise<Float32Array> {
  if (a.length < m * k || b.length < batch * k * n)
    throw new Error(`ortMatmulBatched: operands smaller than ${m}x${k} and ${batch}x${k}x${n}`);
  const runner = await compile(matmulGraph(true));
  const bt = f32([batch, k, n], b.subarray(0, batch * k * n));
  const out = await runner.run({ a: f32([m, k], a.subarray(0, m * k)), b: bt });
  return out.c!.data as Float32Array;
}
