/**
 * MACs of the MatMuls between two activations (attention's q·kᵀ and ·v): no weight, so no layer row, but real work
 * that head pruning removes. Counted per sample (the shapes are inferred at batch 1 by the caller).
 */
import type { Graph } from '../ir/graph.js';
import { isStatic, shapeOf } from '../ir/shape/index.js';

/** MACs per sample of the MatMuls whose operands are both activations in `g`; null when a shape is not static. */
export function activationMatMulMacs(g: Graph, shaped: Graph): number | null {
  let macs = 0;
  for (const n of g.nodes) {
    if (n.opType !== 'MatMul' || n.inputs.some((i) => g.initializers.has(i))) continue;
    let a: (number | string)[], y: (number | string)[];
    try {
      a = shapeOf(shaped, n.inputs[0]!);
      y = shapeOf(shaped, n.outputs[0]!);
    } catch {
      return null;
    }
    const k = a.at(-1);
    if (typeof k !== 'number' || !isStatic(y)) return null;
    macs += y.reduce((p, d) => p * d, 1) * k;
  }
  return macs;
}
