/**
 * The outgoing weights of a channel group as the n×m matrix REAP/NU work on (row c = every weight that
 * reads channel c, across all consumers: conv slices W[:, c, :, :], Gemm columns, Flatten blocks), and
 * the write-back of a fold: kept rows replaced by transform·W, the constant's row added to each
 * consumer's bias (a bias initializer is created when the layer has none).
 */
import type { ChannelGroup, ConsumerRef } from '../../analysis/coupling.js';
import { attrFloat } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { f32, type Tensor } from '../../ir/tensor.js';
import type { Mat } from '../../linalg/index.js';
import { type Fold, constWeights, foldedWeights } from '../reap/types.js';
import { ReproError } from '../../util/errors.js';

interface Part {
  c: ConsumerRef;
  /** Column range of this consumer in the outgoing matrix. */
  start: number;
  width: number;
  outer: number;
  len: number;
  inner: number;
  /** Output neuron count of the consumer (bias length). */
  outs: number;
}

function partsOf(g: Graph, gr: ChannelGroup): Part[] {
  let start = 0;
  return gr.consumers.map((c) => {
    const t = g.initializers.get(c.weight);
    if (!t) throw new ReproError(`consumer '${c.node}' weight '${c.weight}' is not an initializer`);
    const outer = t.dims.slice(0, c.axis).reduce((a, b) => a * b, 1);
    const inner = t.dims.slice(c.axis + 1).reduce((a, b) => a * b, 1);
    const width = outer * c.block * inner;
    const outs = c.axis === 0 ? inner : outer;
    const p = { c, start, width, outer, len: t.dims[c.axis]!, inner, outs };
    start += width;
    return p;
  });
}

/** Index in the consumer tensor of element x (0 ≤ x < width) of channel ch's row, and its output neuron. */
function locate(p: Part, ch: number, x: number): { at: number; out: number } {
  const e = x % p.inner;
  const j = Math.floor(x / p.inner) % p.c.block;
  const o = Math.floor(x / (p.inner * p.c.block));
  const at = (o * p.len + p.c.offset + ch * p.c.block + j) * p.inner + e;
  return { at, out: p.c.axis === 0 ? e : o };
}

/** n×m outgoing-weight matrix of the group (Float64). */
export function outgoingMatrix(g: Graph, gr: ChannelGroup): Mat {
  const parts = partsOf(g, gr);
  const n = gr.size;
  const m = parts.reduce((a, p) => a + p.width, 0);
  const W = new Float64Array(n * m);
  for (const p of parts) {
    const src = g.initializers.get(p.c.weight)!.data as Float32Array;
    for (let ch = 0; ch < n; ch++)
      for (let x = 0; x < p.width; x++) W[ch * m + p.start + x] = src[locate(p, ch, x).at]!;
  }
  return { rows: n, cols: m, data: W };
}

/** True when every consumer can take a bias (Conv, Gemm); MatMul cannot, so the constant is dropped. */
export function consumersTakeBias(gr: ChannelGroup, g?: Graph): boolean {
  return gr.consumers.every(
    (c) => c.opType === 'Conv' || c.opType === 'Gemm' || (c.opType === 'MatMul' && !!g && !!matmulBias(g, c.node)),
  );
}

/** The bias of a MatMul exported from nn.Linear: the 1-D initializer of the only Add reading its output. */
export function matmulBias(g: Graph, node: string): string | undefined {
  const { producer, consumers } = g.index();
  const mm = [...producer.values()].find((n) => n.name === node);
  const out = mm?.outputs[0];
  const next = out ? (consumers.get(out) ?? []) : [];
  if (next.length !== 1 || next[0]!.opType !== 'Add') return undefined;
  // Only a bias with one value per output column (a broadcast scalar cannot take per-column constants).
  const cols = g.initializers.get(mm?.inputs[1] ?? '')?.dims.at(-1);
  return next[0]!.inputs.find((i) => {
    const d = g.initializers.get(i)?.dims;
    return i !== out && d?.length === 1 && d[0] === cols;
  });
}

function biasTensor(g: Graph, node: Node, outs: number): { name: string; t: Tensor; scale: number; created: boolean } {
  let name = node.opType === 'MatMul' ? matmulBias(g, node.name) : node.inputs[2];
  const created = !name;
  if (!name) {
    name = g.addInitializer(`${node.name}.bias`, f32([outs], new Float32Array(outs)));
    while (node.inputs.length < 2) node.inputs.push('');
    node.inputs[2] = name;
  }
  const t = g.initializers.get(name);
  if (t?.dtype !== 'float32' || t.data.length !== outs) {
    throw new ReproError(
      `node '${node.name}': bias '${name}' must be a float32 initializer with ${outs} values to absorb a REAP/NU fold`,
    );
  }
  const scale = node.opType === 'Gemm' ? attrFloat(node.attrs, 'beta', 1) : 1;
  return { name, t, scale, created };
}

/**
 * A fold's rewritten tensors, by the exact source array they were computed from. PRO applies the same folds to the
 * same weights dozens of times; tensors are never written in place, so a source array seen again gives the same
 * result and the cached one is reused (it is shared read-only, like every weight of a `clone(true)`).
 */
const foldResults = new WeakMap<Fold, Map<string, { src: Float32Array; dst: Float32Array }>>();

/**
 * The source of a bias the fold created (all zeros): one fixed array, so the cache hits. Keyed by the fresh zeros
 * `biasTensor` allocates, every PRO candidate of a BatchNorm-kept export (bias-free convs) rebuilt the outgoing matrix
 * and the folded weights of every committed group: ResNet-50 at 224 px took 2× as long as its BN-folded export.
 */
const CREATED_BIAS = new Float32Array(0);

function rewritten(fold: Fold, key: string, src: Float32Array, make: () => Float32Array): Float32Array {
  let m = foldResults.get(fold);
  if (!m) {
    m = new Map();
    foldResults.set(fold, m);
  }
  const hit = m.get(key);
  if (hit?.src === src) return hit.dst;
  const dst = make();
  m.set(key, { src, dst });
  return dst;
}

/**
 * Write a fold into the consumers (of `g`, replacing tensors): kept rows ← transform·W, bias += constant row.
 * Returns true when a consumer had no bias and got one: an analysis of `g` made before then does not know that
 * bias, so a later cut of that layer's outputs would leave it at its old length.
 */
export function applyFold(g: Graph, gr: ChannelGroup, fold: Fold): boolean {
  let addedBias = false;
  let lazy: { W: Mat; folded: Mat; wc: Float64Array } | undefined;
  const fit = () => {
    if (!lazy) {
      const W = outgoingMatrix(g, gr);
      lazy = { W, folded: foldedWeights(fold, W), wc: constWeights(fold, W) };
    }
    return lazy;
  };
  const hasConst = fold.constRow.some((v) => v !== 0);
  const nodes = new Map(g.nodes.map((n) => [n.name, n] as const));
  for (const p of partsOf(g, gr)) {
    const t = g.initializers.get(p.c.weight)!;
    const dst = rewritten(fold, `w:${p.c.weight}`, t.data as Float32Array, () => {
      const { W, folded } = fit();
      const out = (t.data as Float32Array).slice();
      fold.keep.forEach((ch, k) => {
        for (let x = 0; x < p.width; x++) out[locate(p, ch, x).at] = folded.data[k * W.cols + p.start + x]!;
      });
      return out;
    });
    g.initializers.set(p.c.weight, { ...t, data: dst });
    if (!hasConst) continue;
    const b = biasTensor(g, nodes.get(p.c.node)!, p.outs);
    addedBias ||= b.created;
    const src = b.created ? CREATED_BIAS : (b.t.data as Float32Array);
    const bias = rewritten(fold, `b:${p.c.node}:${p.start}`, src, () => {
      const { wc } = fit();
      const out = (b.t.data as Float32Array).slice();
      for (let x = 0; x < p.width; x++) out[locate(p, 0, x).out] += wc[p.start + x]! / b.scale;
      return out;
    });
    g.initializers.set(b.name, { ...b.t, data: bias });
  }
  return addedBias;
}
