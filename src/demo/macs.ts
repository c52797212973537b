/**
 * Multiply-accumulates per sample of everything ONNX Runtime runs per inference: every MatMul / Gemm / Conv
 * whose inputs depend on the graph input, whether its weight is an initializer or computed (TT chains).
 * Subgraphs computed only from initializers (a TT layer's weight reconstruction) are left out: ORT folds
 * them once when the session is created. `modelMetrics` counts only layers with constant weights; for such
 * models both numbers agree.
 */
import type { Graph } from '../ir/graph.js';
import { attrInt } from '../ir/attrs.js';
import { inferShapes, shapeOf } from '../ir/shape/index.js';

const prod = (d: (number | string)[]) => d.reduce<number>((a, b) => a * (typeof b === 'number' ? b : NaN), 1);

export function inferenceMacs(g0: Graph): number {
  const g = g0.clone(true);
  inferShapes(g, { batch: 1 });
  const live = new Set(g.inputs.map((v) => v.name));
  let macs = 0;
  g.topoSort();
  for (const n of g.nodes) {
    if (!n.inputs.some((i) => live.has(i))) continue;
    for (const o of n.outputs) live.add(o);
    const out = shapeOf(g, n.outputs[0]!);
    if (n.opType === 'MatMul') macs += prod(out) * (shapeOf(g, n.inputs[0]!).at(-1) as number);
    else if (n.opType === 'Gemm') {
      const a = shapeOf(g, n.inputs[0]!);
      macs += prod(out) * (attrInt(n.attrs, 'transA', 0) ? (a[0] as number) : (a[1] as number));
    } else if (n.opType === 'Conv') macs += prod(out) * prod(shapeOf(g, n.inputs[1]!).slice(1));
  }
  return macs;
}
