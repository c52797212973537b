import { A } from '../../ir/attrs.js';
import { broadcastShape, reshape, unbroadcast } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/** Swap the last two axes. */
function transposeLast2(e: Emitter, x: string): string {
  const s = e.shape(x);
  const perm = s.map((_, i) => i);
  perm[s.length - 1] = s.length - 2;
  perm[s.length - 2] = s.length - 1;
  const out = e.add('Transpose', [x], { perm: A.ints(perm) });
  e.setShape(
    out,
    perm.map((p) => s[p]!),
    e.dtype(x),
  );
  return out;
}

/**
 * Y = A·B with numpy semantics (1-D operands promoted, batch dims broadcast).
 * dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over broadcast batch dims. When B is a plain matrix (x·W, the common
 * case), dB folds every batch row into one GEMM: reshape A to [rows, K] and dY to [rows, N].
 */
export const MatMul: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const [a, b] = node.inputs as [string, string];
    const sa = e.shape(a);
    const sb = e.shape(b);
    const a2 = reshape(e, a, sa.length === 1 ? [1, sa[0]!] : sa);
    const b2 = reshape(e, b, sb.length === 1 ? [sb[0]!, 1] : sb);
    const pa = e.shape(a2);
    const pb = e.shape(b2);
    const batch = broadcastShape(pa.slice(0, -2), pb.slice(0, -2));
    const M = pa[pa.length - 2]!;
    const N = pb[pb.length - 1]!;
    const g = reshape(e, dy!, [...batch, M, N]);
    e.setShape(g, [...batch, M, N]);
    const out: (string | undefined)[] = [];
    if (need[0]) {
      const ga = e.add('MatMul', [g, transposeLast2(e, b2)]);
      e.setShape(ga, [...batch, M, pb[pb.length - 2]!]);
      out[0] = reshape(e, unbroadcast(e, ga, pa), sa);
    }
    if (need[1]) {
      if (pb.length === 2) {
        const K = pa[pa.length - 1]!;
        const rows = pa.slice(0, -1).reduce((x, y) => x * y, 1);
        const af = reshape(e, a2, [rows, K]);
        const gf = reshape(e, g, [rows, N]);
        const gw = e.add('Gemm', [af, gf], { transA: A.int(1) });
        e.setShape(gw, [K, N], e.dtype(b));
        out[1] = reshape(e, gw, sb);
      } else {
        const gb = e.add('MatMul', [transposeLast2(e, a2), g]);
        e.setShape(gb, [...batch, pa[pa.length - 1]!, N]);
        out[1] = reshape(e, unbroadcast(e, gb, pb), sb);
      }
    }
    return out;
  },
};
