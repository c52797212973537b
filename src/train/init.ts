/**
 * Fresh weights for a model trained from scratch: PyTorch's default init for every Conv/Gemm/MatMul weight and
 * bias (kaiming_uniform_(a=√5), i.e. U(−1/√fan_in, 1/√fan_in)), BatchNormalization scale 1, bias 0, running mean
 * 0 and variance 1. Everything else (shape constants, Clip bounds, …) is left as it is.
 */
import type { Graph } from '../ir/graph.js';
import { f32 } from '../ir/tensor.js';
import { SeededRng } from '../util/random.js';

/** kaiming_uniform_(a=√5) on `dims` elements: bound = 1/√fan_in (PyTorch's Conv/Linear default). */
export function kaimingUniform(rng: SeededRng, dims: number[], fanIn: number): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  return rng.fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)), -bound, bound);
}

/** The bias of a layer: Conv/Gemm input 2, or the constant operand of the Add right after a MatMul. */
function biasOf(g: Graph, n: Graph['nodes'][number], consumers: Map<string, Graph['nodes']>): string | undefined {
  if (n.opType !== 'MatMul') return n.inputs[2] || undefined;
  const next = consumers.get(n.outputs[0]!) ?? [];
  if (next.length !== 1 || next[0]!.opType !== 'Add') return undefined;
  return next[0]!.inputs.find((i) => g.initializers.has(i));
}

/** fan_in of a layer's weight: Conv [Cout, Cin/g, k…] → Cin/g·k…; Gemm [out, in] (transB) or [in, out]; MatMul [in, out]. */
function fanIn(op: string, dims: number[], transB: boolean): number {
  if (op === 'Conv') return dims.slice(1).reduce((a, b) => a * b, 1);
  return op === 'Gemm' && transB ? dims[1]! : dims[0]!;
}

/** A copy of `g` with freshly initialised layers (seeded, in node order); `g` is untouched. */
export function reinitialize(g0: Graph, seed: number): Graph {
  const g = g0.clone(true);
  const rng = new SeededRng(seed);
  const { consumers } = g.index();
  const fill = (name: string | undefined, make: (dims: number[]) => Float32Array) => {
    const t = name ? g.initializers.get(name) : undefined;
    if (t && t.dtype === 'float32') g.initializers.set(name!, f32(t.dims, make(t.dims)));
  };
  for (const n of g.nodes) {
    if (n.opType === 'Conv' || n.opType === 'Gemm' || n.opType === 'MatMul') {
      const w = g.initializers.get(n.inputs[1] ?? '');
      if (w?.dtype !== 'float32') continue;
      const fan = fanIn(n.opType, w.dims, n.attrs.transB?.kind === 'int' && n.attrs.transB.value === 1);
      fill(n.inputs[1], (d) => kaimingUniform(rng, d, fan));
      fill(biasOf(g, n, consumers), (d) => kaimingUniform(rng, d, fan));
    } else if (n.opType === 'BatchNormalization') {
      const values = [1, 0, 0, 1];
      for (let i = 1; i <= 4; i++)
        fill(n.inputs[i], (d) => new Float32Array(d.reduce((a, b) => a * b, 1)).fill(values[i - 1]!));
    }
  }
  return g;
}
