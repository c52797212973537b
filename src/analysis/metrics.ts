/**
 * Size and cost of a model: per weighted layer (Conv, ConvTranspose, Gemm, MatMul with a constant
 * weight) and in total — parameters, nonzeros, sparsity, MACs per sample and bytes on disk.
 *
 * Parameters = elements of floating-point initializers, excluding BatchNormalization running
 * mean/variance (state, not learned). MACs are counted for one sample (batch 1) from inferred
 * shapes; `effectiveMacs` counts only multiplications by nonzero weights (what a sparse kernel does).
 */
import type { Graph, Node } from '../ir/graph.js';
import { numel, type Tensor } from '../ir/tensor.js';
import { inferShapes, shapeOf } from '../ir/shape/index.js';
import { encodedSize } from '../onnx/size.js';

export interface LayerMetrics {
  /** Node name. */
  name: string;
  op: string;
  weight: string;
  weightShape: number[];
  /** Bias initializer (Conv/Gemm input 2, or the constant Add right after a MatMul). */
  bias?: string;
  /** Weight + bias elements. */
  params: number;
  nonzeros: number;
  /** 1 − nonzeros/params. */
  sparsity: number;
  /** Dense multiply-accumulates per sample; null when a needed dim is symbolic. */
  macs: number | null;
  /** MACs by nonzero weights only. */
  effectiveMacs: number | null;
}

export interface ModelTotals {
  params: number;
  nonzeros: number;
  sparsity: number;
  /** Sum over layers (layers with unknown MACs are skipped; see `macsComplete`). */
  macs: number;
  effectiveMacs: number;
  macsComplete: boolean;
  /** BatchNormalization running mean/var elements (excluded from params). */
  stateElements: number;
  /** Size of the serialized ONNX model. */
  bytes: number;
  layers: number;
}

export interface ModelMetrics {
  layers: LayerMetrics[];
  totals: ModelTotals;
}

const WEIGHTED_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

function isFloat(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float64';
}

export function countNonzeros(t: Tensor): number {
  let nz = 0;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== 0 && d[i] !== 0n) nz++;
  return nz;
}

/** Names of BatchNormalization running mean/var inputs: state, not parameters. */
export function batchNormStateNames(g: Graph): Set<string> {
  const s = new Set<string>();
  for (const n of g.nodes) {
    if (n.opType !== 'BatchNormalization') continue;
    for (const i of [3, 4]) if (n.inputs[i]) s.add(n.inputs[i]!);
  }
  return s;
}

/** The constant weight input of a weighted node, if any. */
function weightOf(g: Graph, n: Node): string | undefined {
  if (!WEIGHTED_OPS.has(n.opType)) return undefined;
  const w = n.inputs[1];
  const t = w ? g.initializers.get(w) : undefined;
  return t && isFloat(t) && (n.opType !== 'MatMul' || t.dims.length === 2) ? w : undefined;
}

function biasOf(g: Graph, n: Node, consumers: Map<string, Node[]>): string | undefined {
  if (n.opType !== 'MatMul') {
    const b = n.inputs[2];
    return b && g.initializers.has(b) ? b : undefined;
  }
  // PyTorch exports Linear on rank > 2 inputs as MatMul followed by Add(bias).
  const next = consumers.get(n.outputs[0]!) ?? [];
  if (next.length !== 1 || next[0]!.opType !== 'Add') return undefined;
  const other = next[0]!.inputs.find((i) => i !== n.outputs[0]);
  const t = other ? g.initializers.get(other) : undefined;
  return t && isFloat(t) && t.dims.length === 1 ? other : undefined;
}

function numericNumel(dims: readonly (number | string)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

/** Number of output positions each weight element is applied at, per sample. */
function applicationsPerWeight(shaped: Graph, n: Node, w: Tensor): number | null {
  switch (n.opType) {
    case 'Conv':
      return numericNumel(shapeOf(shaped, n.outputs[0]!).slice(2));
    case 'ConvTranspose':
      return numericNumel(shapeOf(shaped, n.inputs[0]!).slice(2));
    case 'Gemm': {
      // A is [M, K] (or [K, M] with transA); batch 1 makes M the rows per sample.
      const a = shapeOf(shaped, n.inputs[0]!);
      const transA = n.attrs.transA?.kind === 'int' && n.attrs.transA.value === 1;
      const m = transA ? a[1] : a[0];
      return typeof m === 'number' ? m : null;
    }
    case 'MatMul': {
      const a = shapeOf(shaped, n.inputs[0]!);
      const total = numericNumel(a);
      return total === null ? null : total / w.dims[0]!;
    }
    default:
      return null;
  }
}

/** Per-layer and total metrics. Does not modify `g`. */
export function modelMetrics(g: Graph): ModelMetrics {
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const { consumers } = g.index();
  const layers: LayerMetrics[] = [];
  for (const n of g.nodes) {
    const wName = weightOf(g, n);
    if (!wName) continue;
    const w = g.initializers.get(wName)!;
    const bias = biasOf(g, n, consumers);
    const b = bias ? g.initializers.get(bias) : undefined;
    const params = w.data.length + (b?.data.length ?? 0);
    const nonzeros = countNonzeros(w) + (b ? countNonzeros(b) : 0);
    const apps = applicationsPerWeight(shaped, n, w);
    layers.push({
      name: n.name,
      op: n.opType,
      weight: wName,
      weightShape: [...w.dims],
      ...(bias ? { bias } : {}),
      params,
      nonzeros,
      sparsity: params ? 1 - nonzeros / params : 0,
      macs: apps === null ? null : apps * numel(w.dims),
      effectiveMacs: apps === null ? null : apps * countNonzeros(w),
    });
  }
  return { layers, totals: totalsOf(g, layers) };
}

function totalsOf(g: Graph, layers: LayerMetrics[]): ModelTotals {
  const state = batchNormStateNames(g);
  let params = 0;
  let nonzeros = 0;
  let stateElements = 0;
  for (const [name, t] of g.initializers) {
    if (!isFloat(t)) continue;
    if (state.has(name)) {
      stateElements += t.data.length;
      continue;
    }
    params += t.data.length;
    nonzeros += countNonzeros(t);
  }
  let macs = 0;
  let effectiveMacs = 0;
  let macsComplete = true;
  for (const l of layers) {
    if (l.macs === null || l.effectiveMacs === null) {
      macsComplete = false;
      continue;
    }
    macs += l.macs;
    effectiveMacs += l.effectiveMacs;
  }
  return {
    params,
    nonzeros,
    sparsity: params ? 1 - nonzeros / params : 0,
    macs,
    effectiveMacs,
    macsComplete,
    stateElements,
    bytes: encodedSize(g),
    layers: layers.length,
  };
}
