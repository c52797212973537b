/**
 * TT/TR layers as ONNX nodes (MatMul, Reshape, Transpose, Mul, ReduceSum — all differentiable by src/autodiff).
 *
 * `emitTtChain` — the "multi-step chain" for a fully connected layer: y = x·Wᵀ without ever forming W.
 *   Cores are applied from the last to the first. The state is laid out [B, i_{k+1}..i_d, j_1..j_k, r_k], so
 *   contracting (j_k, r_k) is ONE 2-D GEMM of [B·Q_k·N_{k−1}, n_k·r_k] by the core seen as
 *   [n_k·r_k, r_{k−1}·m_k] (Q_k = m_{k+1}···m_d, N_{k−1} = n_1···n_{k−1}); one Transpose then moves the new
 *   output digit i_k in front of the others. Cost Σ_k B·Q_k·N_{k−1}·(n_k r_k)·(r_{k−1} m_k) MACs.
 *   (A transpose-free variant with a broadcast MatMul [r m, n r] × [P, n r, Q] exists but runs P tiny GEMMs in
 *   ORT and was ~10× slower on LeNet-300-100.)
 *   Ring: the cyclic index α = r_d is carried in the batch: Z_{d+1}[b, α, j, r_d] = x[b, j]·δ(α, r_d), and the
 *   end takes the diagonal α = r_0 (Mul by an identity, ReduceSum).
 *
 * `emitTtReconstruct` — the dense W[M, N] from the cores (for a conv, whose forward then runs the ordinary
 *   Conv on the rebuilt weight: exact, and cheap because the weights are small next to the activations).
 */
import { A } from '../../ir/attrs.js';
import type { Graph } from '../../ir/graph.js';
import { f32, i64vec } from '../../ir/tensor.js';
import { coreDims, prod, ttRows, type TtSpec } from './spec.js';

function reshape(g: Graph, x: string, shape: number[], base: string): string {
  return g.add('Reshape', [x, g.addInitializer(`${base}.shape`, i64vec(shape))], {}, { name: `${base}.reshape` })[0]!;
}

/** Identity of size R laid out with singleton axes, e.g. [1, R, 1, R]. */
function eye(g: Graph, R: number, dims: number[], base: string): string {
  const e = new Float32Array(R * R);
  for (let i = 0; i < R; i++) e[i * R + i] = 1;
  return g.addInitializer(`${base}.eye`, f32(dims, e));
}

function reduceSum(g: Graph, x: string, axes: number[], base: string): string {
  return g.add(
    'ReduceSum',
    [x, g.addInitializer(`${base}.axes`, i64vec(axes))],
    { keepdims: A.int(0) },
    { name: `${base}.trace` },
  )[0]!;
}

/** y[B, M] = x[B, N] · Wᵀ for W given by `cores` (initializer or input names, one per core). */
export function emitTtChain(g: Graph, x: string, spec: TtSpec, cores: string[], base: string): string {
  const d = spec.m.length;
  const R = spec.ranks[0]!;
  const N = prod(spec.n);
  let z = x; // layout [B', i_{k+1}..i_d, j_1..j_k, r_k] with B' = B (·R for a ring)
  if (spec.ring) {
    const xr = reshape(g, x, [-1, 1, N, 1], `${base}.in`);
    z = g.add('Mul', [xr, eye(g, R, [1, R, 1, R], `${base}.in`)], {}, { name: `${base}.in.ring` })[0]!;
  }
  let q = 1;
  let nLeft = N;
  for (let k = d - 1; k >= 0; k--) {
    const [rk, m, n, rn] = coreDims(spec, k);
    nLeft /= n;
    const zk = reshape(g, z, [-1, n * rn], `${base}.z${k}`);
    // Core as [n_k·r_k, r_{k−1}·m_k]: a transpose of the small core, so the activation needs one plain GEMM.
    const gt = g.add('Transpose', [cores[k]!], { perm: A.ints([2, 3, 0, 1]) }, { name: `${base}.gt${k}` })[0]!;
    const gk = reshape(g, gt, [n * rn, rk * m], `${base}.g${k}`);
    const y = g.add('MatMul', [zk, gk], {}, { name: `${base}.mm${k}` })[0]!;
    // [B', Q, N_{k−1}·r_{k−1}, m_k] → [B', m_k, Q, N_{k−1}·r_{k−1}]: i_k becomes the leading output digit.
    const y4 = reshape(g, y, [-1, q, nLeft * rk, m], `${base}.y${k}`);
    z = g.add('Transpose', [y4], { perm: A.ints([0, 3, 1, 2]) }, { name: `${base}.t${k}` })[0]!;
    q *= m;
  }
  const M = ttRows(spec);
  if (!spec.ring) return reshape(g, z, [-1, M], `${base}.out`);
  const y4 = reshape(g, z, [-1, R, M, R], `${base}.out4`);
  const diag = g.add('Mul', [y4, eye(g, R, [1, R, 1, R], `${base}.out`)], {}, { name: `${base}.out.ring` })[0]!;
  return reduceSum(g, diag, [1, 3], `${base}.out`);
}

/** W[M, N] (row-major GEMM view) contracted from the cores inside the graph. */
export function emitTtReconstruct(g: Graph, spec: TtSpec, cores: string[], base: string): string {
  const d = spec.m.length;
  const R = spec.ranks[0]!;
  let a = cores[0]!; // A[r_0, I, J, r_1]
  let I = spec.m[0]!,
    J = spec.n[0]!;
  for (let k = 1; k < d; k++) {
    const [rk, m, n, rn] = coreDims(spec, k);
    const a2 = reshape(g, a, [R * I * J, rk], `${base}.a${k}`);
    const gk = reshape(g, cores[k]!, [rk, m * n * rn], `${base}.g${k}`);
    const prodAG = g.add('MatMul', [a2, gk], {}, { name: `${base}.mm${k}` })[0]!;
    const p4 = reshape(g, prodAG, [R * I, J, m, n * rn], `${base}.p${k}`);
    // [R·I, J, m, n·r] → [R·I, m, J, n·r]: row digits before column digits.
    a = g.add('Transpose', [p4], { perm: A.ints([0, 2, 1, 3]) }, { name: `${base}.t${k}` })[0]!;
    I *= m;
    J *= n;
  }
  if (R === 1 && !spec.ring) return reshape(g, a, [I, J], `${base}.w`);
  const a3 = reshape(g, a, [R, I * J, R], `${base}.w3`);
  const diag = g.add('Mul', [a3, eye(g, R, [R, 1, R], `${base}.w`)], {}, { name: `${base}.w.ring` })[0]!;
  return reshape(g, reduceSum(g, diag, [0, 2], `${base}.w`), [I, J], `${base}.w`);
}
