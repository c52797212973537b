/**
 * The form of each fully connected TT layer chosen by measured latency. A chain contracts the input with the cores
 * (work grows with the batch); a reconstruct rebuilds W from the cores once per run and then does one dense GEMM
 * (work independent of the batch, plus the full-size GEMM). Which is faster depends on the layer's shape, rank and
 * batch, so each layer is converted alone both ways and timed in ONNX Runtime in alternating runs (runtime/timing.ts)
 * at the batch it will serve; the faster form is kept. The choice is recorded, so a plan replays it without timing.
 */
import type { Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { layerGraph, timePair } from '../measure-lowering.js';
import { type TtConvertOptions, type TtForm, ttConvert } from './convert.js';

export interface FormChoice {
  node: string;
  chainMs: number;
  reconstructMs: number;
  form: TtForm;
}

/**
 * For every layer `ttConvert(g, opts)` would turn into a chain, the faster of chain and reconstruct at `batch`
 * (medians of `runs` alternating runs; a tie keeps the chain, the default). A layer whose input shape is unknown at
 * `batch` is not timed and keeps the default form.
 */
export async function chooseFcForms(g: Graph, opts: TtConvertOptions, batch: number, runs = 20): Promise<FormChoice[]> {
  const chained = ttConvert(g, { ...opts, fcForm: 'chain', fcForms: undefined }).layers.filter(
    (l) => l.form === 'chain',
  );
  const shaped = g.clone(true);
  inferShapes(shaped, { batch });
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const out: FormChoice[] = [];
  for (const l of chained) {
    // The layer alone at its inferred input shape, timed as tile-lower times its layers (measure-lowering.ts).
    const one = layerGraph(g, shaped, byName.get(l.node)!);
    if (!one) continue; // input shape unknown at this batch: the layer keeps the default form
    const as = (form: TtForm) => ttConvert(one, { ...opts, layers: [l.node], fcForm: form, fcForms: undefined }).graph;
    const [chainMs, reconstructMs] = await timePair(as('chain'), as('reconstruct'), runs);
    out.push({ node: l.node, chainMs, reconstructMs, form: reconstructMs < chainMs ? 'reconstruct' : 'chain' });
  }
  return out;
}
