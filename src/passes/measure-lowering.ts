/**
 * Lowering decided by measurement (tile-lower, unify-lower). Lowering pays off on large layers, but on moderate ones
 * (a few hundred channels, small batches) the Gathers, Concats and extra kernels can cost more than the multiply-adds
 * they save. With a measure batch, each layer a lowering would rewrite is timed alone in ONNX Runtime — its dense
 * (masked) form against its lowered form, in alternating runs on the same input — and stays dense unless lowering is
 * faster. The plan records both medians, so a replay makes the same decision without timing anything.
 */
import { Graph, type Node } from '../ir/graph.js';
import { inferShapes } from '../ir/shape/index.js';
import { f32 } from '../ir/tensor.js';
import { compile } from '../runtime/session.js';
import { pairedLatency } from '../runtime/timing.js';
import { SeededRng } from '../util/random.js';

export interface LowerDecision {
  node: string;
  /** Median ms of the layer as a masked dense op, and lowered; absent when its input shape is unknown. */
  denseMs?: number;
  loweredMs?: number;
  /** Kept lowered: faster by at least `margin`, or not measurable (then the density rule alone decided). */
  lowered: boolean;
}

export interface MeasureOptions {
  /** Batch the layers are timed at. */
  batch: number;
  /** Timed runs per side (median taken). */
  runs: number;
  /** Lowered must be at least this much faster (0.05 = 5 %) to be kept; near-ties stay dense. */
  margin: number;
}

/** The lowering of one layer: `one` is that layer alone (with `g`'s metadata), `node` its name. */
export type LowerOne = (one: Graph, node: string) => Graph;

/** The node alone: its input at the shape it has in `g` (batch `batch`), its constant inputs, its output. */
export function layerGraph(g: Graph, shaped: Graph, n: Node): Graph | undefined {
  const x = n.inputs[0]!;
  const shape = shaped.valueInfo.get(x)?.shape ?? shaped.inputs.find((v) => v.name === x)?.shape;
  if (!shape || shape.some((d) => typeof d !== 'number')) return undefined;
  const one = new Graph();
  one.name = `${g.name}:${n.name}`;
  one.opset = g.opset;
  one.irVersion = g.irVersion;
  one.inputs = [{ name: x, dtype: 'float32', shape: [...shape] }];
  for (const i of n.inputs.slice(1)) if (i && g.initializers.has(i)) one.initializers.set(i, g.initializers.get(i)!);
  one.nodes = [{ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }];
  one.outputs = [{ name: n.outputs[0]!, dtype: 'float32' }];
  one.metadata = { ...g.metadata };
  return one;
}

/** Dense vs lowered medians of one single-layer model, alternating runs so drift hits both. */
export async function timePair(dense: Graph, lowered: Graph, runs: number): Promise<[number, number]> {
  const input = dense.inputs[0]!;
  const dims = input.shape as number[];
  const data = new SeededRng(3).fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)));
  const feeds = { [input.name]: f32(dims, data) };
  const t = await pairedLatency(await compile(dense), await compile(lowered), feeds, runs, 2);
  return [t.denseMs, t.ms];
}

/** Time every candidate layer (node name) alone and decide which stay lowered. */
export async function measureLowering(
  g: Graph,
  candidates: string[],
  lowerOne: LowerOne,
  o: MeasureOptions,
): Promise<LowerDecision[]> {
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: o.batch });
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const out: LowerDecision[] = [];
  for (const node of candidates) {
    const one = layerGraph(g, shaped, byName.get(node)!);
    if (!one) {
      out.push({ node, lowered: true });
      continue;
    }
    const [denseMs, loweredMs] = await timePair(one, lowerOne(one, node), o.runs);
    out.push({ node, denseMs, loweredMs, lowered: loweredMs < (1 - o.margin) * denseMs });
  }
  return out;
}
