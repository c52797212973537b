/** Which tensors of a (dense or TT) model are prunable, which are trainable, and how many of their entries are non-zero. */
import type { Graph } from '../../ir/graph.js';
import { gemmViews } from '../../ir/gemm-view.js';
import { trainableParams } from '../../train/params.js';
import { ttLayersOf } from '../tt/index.js';

/** Weights of Gemm/MatMul/Conv layers still dense, plus every TT core. Biases and BN parameters are not pruned. */
export function prunableTensors(g: Graph): string[] {
  const dense = gemmViews(g).map((v) => v.weight);
  const cores = ttLayersOf(g).flatMap((l) => l.cores);
  return [...new Set([...dense, ...cores])];
}

/** Every trained tensor: the default trainable set (minus TT constants such as ring identities) plus the cores. */
export function trainedTensors(g: Graph): string[] {
  const layers = ttLayersOf(g);
  const prefixes = layers.map((l) => `${l.node}.tt.`);
  const base = trainableParams(g).filter((p) => !prefixes.some((pre) => p.startsWith(pre)));
  return [...new Set([...base, ...layers.flatMap((l) => l.cores)])];
}

export function sizeOf(g: Graph, names: string[]): number {
  return names.reduce((a, n) => a + g.initializers.get(n)!.data.length, 0);
}

export function nonzerosOf(g: Graph, names: string[]): number {
  let nz = 0;
  for (const n of names) for (const v of g.initializers.get(n)!.data as Float32Array) if (v !== 0) nz++;
  return nz;
}
