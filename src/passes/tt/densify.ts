/** Back from TT to dense: the reconstructed weight of each TT layer, and a dense copy of the whole model. */
import type { Graph } from '../../ir/graph.js';
import { f32 } from '../../ir/tensor.js';
import { permute, reconstructDense } from './cores.js';
import { ttLayersOf, TT_METADATA_KEY, type TtLayer } from './convert.js';

/** The layer's dense weight in its original storage layout (e.g. [out, in] for Gemm transB=1, [in, out] for MatMul). */
export function denseWeightOf(g: Graph, layer: TtLayer): Float32Array {
  const cores = layer.cores.map((c) => g.initializers.get(c)!.data as Float32Array);
  const w = reconstructDense(layer.spec, cores); // [M, N] GEMM view
  const M = layer.spec.m.reduce((a, b) => a * b, 1);
  const N = w.length / M;
  const transB = layer.original.attrs.transB;
  const stored = layer.op === 'MatMul' || (layer.op === 'Gemm' && !(transB?.kind === 'int' && transB.value === 1));
  return Float32Array.from(stored ? permute(w, [M, N], [1, 0]) : w);
}

/** A dense copy of a TT model: every TT layer back to its original node with the reconstructed weight. */
export function densify(g: Graph): Graph {
  const out = g.clone();
  const layers = ttLayersOf(g);
  for (const layer of layers) {
    const w = denseWeightOf(g, layer);
    const prefix = `${layer.node}.tt`;
    out.nodes = out.nodes.filter(
      (n) => !(n.name === prefix || n.name.startsWith(`${prefix}.`) || n.name === layer.node),
    );
    out.initializers.set(layer.weight, f32(layer.weightDims, w));
    out.nodes.push({ ...layer.original, inputs: [...layer.original.inputs], outputs: [...layer.original.outputs] });
  }
  delete out.metadata[TT_METADATA_KEY];
  out.topoSort();
  out.removeUnused();
  return out;
}
