import { A, attrFloat, attrInt } from '../../ir/attrs.js';
import { scale, unbroadcast } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A, B' = transB ? Bᵀ : B.
 * dA' = alpha·dY·B'ᵀ and dB' = alpha·A'ᵀ·dY, each emitted as one Gemm whose trans flags absorb every transpose.
 */
export const Gemm: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b, c] = node.inputs as [string, string, string | undefined];
    const alpha = attrFloat(node.attrs, 'alpha', 1);
    const beta = attrFloat(node.attrs, 'beta', 1);
    const tA = attrInt(node.attrs, 'transA', 0);
    const tB = attrInt(node.attrs, 'transB', 0);
    const gemm = (x: string, y: string, ta: number, tb: number) =>
      e.add('Gemm', [x, y], { alpha: A.float(alpha), transA: A.int(ta), transB: A.int(tb) });
    const out: (string | undefined)[] = [];
    // dA: A not transposed → dY·B'ᵀ; transposed → (dY·B'ᵀ)ᵀ = B'·dYᵀ.
    if (need[0]) out[0] = tA ? gemm(b, dy!, tB, 1) : gemm(dy!, b, 0, tB ? 0 : 1);
    // dB: B not transposed → A'ᵀ·dY; transposed → dYᵀ·A'.
    if (need[1]) out[1] = tB ? gemm(dy!, a, 1, tA) : gemm(a, dy!, tA ? 0 : 1, 0);
    if (need[2] && c) {
      out[2] = scale(e, unbroadcast(e, dy!, e.shape(c)), beta);
    }
    return out;
  },
};
