/**
 * Float64 reference evaluator — a test oracle only (slow, obvious loops; never used to run models).
 * Every op in SUPPORTED_OPS has a kernel here; test/ir/ops.test.ts checks them against ORT.
 */
import type { Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import { binaryKernels } from './ops/binary.js';
import { convKernels } from './ops/conv.js';
import { generatorKernels } from './ops/generators.js';
import { layoutKernels } from './ops/layout.js';
import { linearKernels } from './ops/linear.js';
import { normKernels } from './ops/norm.js';
import { poolKernels } from './ops/pool.js';
import { reduceKernels } from './ops/reduce.js';
import { resizeKernels } from './ops/resize.js';
import { slicingKernels } from './ops/slicing.js';
import { unaryKernels } from './ops/unary.js';
import { fromTensor, type RefKernel, type RefTensor } from './tensor.js';

export type { RefTensor, RefKernel } from './tensor.js';
export { fromTensor } from './tensor.js';

export const REFERENCE_KERNELS: Readonly<Record<string, RefKernel>> = {
  ...unaryKernels,
  ...binaryKernels,
  ...convKernels,
  ...poolKernels,
  ...linearKernels,
  ...normKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...slicingKernels,
  ...generatorKernels,
  ...resizeKernels,
};

/**
 * Evaluate `g` on `feeds` in float64. Returns the graph outputs (or every value with `all`).
 * Integer and bool values come back as float64 numbers too.
 */
export function evaluateReference(
  g: Graph,
  feeds: Record<string, Tensor>,
  opts: { all?: boolean } = {},
): Record<string, RefTensor> {
  const h = g.clone(true);
  h.topoSort();
  const env = new Map<string, RefTensor>();
  for (const [k, t] of h.initializers) env.set(k, fromTensor(t));
  for (const v of h.inputs) {
    const t = feeds[v.name];
    if (!t) throw new Error(`evaluateReference: no feed for graph input '${v.name}'`);
    env.set(v.name, fromTensor(t));
  }
  for (const n of h.nodes) {
    const k = REFERENCE_KERNELS[n.opType];
    if (!k) throw new Error(`evaluateReference: no reference kernel for ${n.opType} (node '${n.name}')`);
    const outs = k({ node: n, opset: h.opset, inputs: n.inputs.map((i) => (i ? env.get(i) : undefined)) });
    n.outputs.forEach((o, i) => {
      if (o && outs[i]) env.set(o, outs[i]!);
    });
  }
  if (opts.all) return Object.fromEntries(env);
  return Object.fromEntries(h.outputs.map((o) => [o.name, env.get(o.name)!]));
}
