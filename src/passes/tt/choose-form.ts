/**
 * The form of each fully connected TT layer chosen by measured latency. A chain contracts the input with the cores
 * (work grows with the batch); a reconstruct rebuilds W from the cores once per run and then does one dense GEMM
 * (work independent of the batch, plus the full-size GEMM). Which is faster depends on the layer's shape, rank and
 * batch, so each layer is converted alone both ways and timed in ONNX Runtime in alternating runs (runtime/timing.ts)
 * at the batch it will serve; the faster form is kept. The choice is recorded, so a plan replays it without timing.
 */
import { Graph, type Node } from '../../ir/graph.js';
import { gemmViewOf } from '../../ir/gemm-view.js';
import { f32 } from '../../ir/tensor.js';
import { compile } from '../../runtime/session.js';
import { pairedLatency } from '../../runtime/timing.js';
import { SeededRng } from '../../util/random.js';
import { type TtConvertOptions, type TtForm, ttConvert } from './convert.js';

export interface FormChoice {
  node: string;
  chainMs: number;
  reconstructMs: number;
  form: TtForm;
}

/** The fully connected node alone, its input [batch, in] (the chain's own input layout), weight and bias. */
function layerAlone(g: Graph, n: Node, batch: number): Graph {
  const view = gemmViewOf(g, n)!;
  const one = new Graph();
  one.name = `${g.name}:${n.name}`;
  one.opset = g.opset;
  one.irVersion = g.irVersion;
  one.inputs = [{ name: n.inputs[0]!, dtype: 'float32', shape: [batch, view.cols] }];
  for (const i of n.inputs.slice(1)) if (i && g.initializers.has(i)) one.initializers.set(i, g.initializers.get(i)!);
  one.nodes = [{ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }];
  one.outputs = [{ name: n.outputs[0]!, dtype: 'float32' }];
  return one;
}

/**
 * For every layer `ttConvert(g, opts)` would turn into a chain, the faster of chain and reconstruct at `batch`
 * (medians of `runs` alternating runs; a tie keeps the chain, the default).
 */
export async function chooseFcForms(g: Graph, opts: TtConvertOptions, batch: number, runs = 20): Promise<FormChoice[]> {
  const chained = ttConvert(g, { ...opts, fcForm: 'chain', fcForms: undefined }).layers.filter(
    (l) => l.form === 'chain',
  );
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const out: FormChoice[] = [];
  for (const l of chained) {
    const one = layerAlone(g, byName.get(l.node)!, batch);
    const as = (form: TtForm) => ttConvert(one, { ...opts, layers: [l.node], fcForm: form, fcForms: undefined }).graph;
    const x = one.inputs[0]!;
    const data = new SeededRng(5).fillUniform(new Float32Array(batch * (x.shape![1] as number)));
    const feeds = { [x.name]: f32(x.shape as number[], data) };
    const t = await pairedLatency(await compile(as('chain')), await compile(as('reconstruct')), feeds, runs, 2);
    out.push({
      node: l.node,
      chainMs: t.denseMs,
      reconstructMs: t.ms,
      form: t.ms < t.denseMs ? 'reconstruct' : 'chain',
    });
  }
  return out;
}
