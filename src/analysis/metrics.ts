/**
 * Size and cost of a model: per weighted layer (Conv, ConvTranspose, Gemm, MatMul with a constant
 * weight) and in total — parameters, nonzeros, sparsity, MACs per sample and bytes on disk.
 *
 * Parameters are counted the way PyTorch's `sum(p.numel() for p in model.parameters())` counts an
 * exported model: floating-point initializers, excluding BatchNormalization running mean/variance
 * (state, not learned), operands that are not weights (Clip bounds, Pad values, Resize scales, shape
 * and index tensors) and scalars fed to arithmetic (the 3 and 6 of a hard-swish, a LayerNorm epsilon).
 * An initializer that PyTorch's exporter shared between nodes (it deduplicates numerically identical
 * tensors, e.g. every BatchNorm weight of an untrained net) counts once per node that reads it: those
 * were separate parameters in PyTorch.
 * MACs are counted for one sample (batch 1) from inferred shapes, including MatMuls between two activations
 * (attention's q·kᵀ and ·v: no weight, but real work that head pruning removes); `effectiveMacs` counts only
 * multiplications by nonzero weights (what a sparse kernel does). Where a shape is symbolic (dynamic H/W
 * without `--input-shape`) or unknown, the totals say so (`macsComplete`, `macsMissing`), never a partial sum
 * presented as the whole.
 */
import type { Graph, Node } from '../ir/graph.js';
import { numel, type Tensor } from '../ir/tensor.js';
import { inferShapes, shapeOf } from '../ir/shape/index.js';
import { encodedSize } from '../onnx/size.js';
import { activationMatMulMacs } from './activation-macs.js';

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
  /** Sum over layers plus `activationMacs` (layers with unknown MACs are skipped; see `macsComplete`). */
  macs: number;
  /** MACs of MatMuls with no constant operand (attention scores and weighted sums); in `macs` and `effectiveMacs`. */
  activationMacs: number;
  effectiveMacs: number;
  macsComplete: boolean;
  /** Why some layers have no MAC count (symbolic input dims, shapes after an unknown op), when `macsComplete` is false. */
  macsMissing?: string;
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

/** Number of output positions each weight element is applied at, per sample (null where a shape is not known). */
function applicationsPerWeight(shaped: Graph, n: Node, w: Tensor): number | null {
  try {
    return applications(shaped, n, w);
  } catch {
    return null; // a value after an op without a shape rule whose shape ONNX Runtime did not give
  }
}

function applications(shaped: Graph, n: Node, w: Tensor): number | null {
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
  const totals = totalsOf(g, layers);
  const act = activationMatMulMacs(g, shaped);
  totals.activationMacs = act ?? 0;
  totals.macs += act ?? 0;
  totals.effectiveMacs += act ?? 0;
  if (act === null) totals.macsComplete = false;
  if (!totals.macsComplete) totals.macsMissing = whyMacsMissing(g, shaped, layers);
  return { layers, totals };
}

/** One line: which layers lack MACs and what would give them (static input dims or shapes of unknown ops). */
function whyMacsMissing(g: Graph, shaped: Graph, layers: LayerMetrics[]): string {
  const missing = layers.filter((l) => l.macs === null).map((l) => l.name);
  const symbols = new Set<string>();
  for (const v of g.inputs) for (const d of v.shape?.slice(1) ?? []) if (typeof d === 'string') symbols.add(d);
  const list = `${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`;
  const unknownShapes = missing.some((name) => {
    const n = g.nodes.find((x) => x.name === name);
    return !!n && !shaped.valueInfo.has(n.outputs[0]!);
  });
  if (symbols.size)
    return `MACs of ${list} depend on symbolic input dims ${[...symbols].join(', ')}: give --input-shape (e.g. 1,3,224,224)`;
  if (unknownShapes) return `MACs of ${list} need shapes after an op reprune has no shape rule for`;
  return `MACs of ${list} are not known`;
}

/** Operand slots that hold settings, not learned weights (Clip bounds, Pad values, Resize scales, shapes, indices). */
const SETTING_SLOTS: Record<string, readonly number[]> = {
  Clip: [1, 2],
  Pad: [1, 2, 3],
  Resize: [1, 2, 3],
  Upsample: [1],
  Reshape: [1],
  Expand: [1],
  Tile: [1],
  Slice: [1, 2, 3, 4],
  Gather: [1],
  Squeeze: [1],
  Unsqueeze: [1],
  ConstantOfShape: [0],
  Range: [0, 1, 2],
  ReduceMean: [1],
  ReduceSum: [1],
  ReduceMax: [1],
  Split: [1],
  TopK: [1],
};

/** Ops whose every float input besides the data is a learned weight, scalar or not (PReLU's single slope). */
const WEIGHT_SLOT_OPS = new Set([
  ...WEIGHTED_OPS,
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'GroupNormalization',
  'PRelu',
]);

/** A BatchNormalization's running mean and variance (inputs 3 and 4): state, not parameters. */
function isStateSlot(n: Node, slot: number): boolean {
  return n.opType === 'BatchNormalization' && (slot === 3 || slot === 4);
}

/**
 * How often each initializer counts as a parameter and as state: once per (node, input) that reads it as a weight.
 * The exporter may hand one tensor of ones to a BatchNorm as both scale and running variance.
 */
function parameterUses(g: Graph): { params: Map<string, number>; state: Map<string, number> } {
  const params = new Map<string, number>();
  const state = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const n of g.nodes) {
    const counted = new Set<string>();
    n.inputs.forEach((name, slot) => {
      const t = name ? g.initializers.get(name) : undefined;
      if (!t || !isFloat(t)) return;
      if (isStateSlot(n, slot)) bump(state, name);
      else if (SETTING_SLOTS[n.opType]?.includes(slot) || counted.has(name)) return;
      else if (t.data.length > 1 || WEIGHT_SLOT_OPS.has(n.opType)) {
        counted.add(name);
        bump(params, name);
      }
    });
  }
  return { params, state };
}

function totalsOf(g: Graph, layers: LayerMetrics[]): ModelTotals {
  const uses = parameterUses(g);
  let params = 0;
  let nonzeros = 0;
  let stateElements = 0;
  for (const [name, times] of uses.params) {
    const t = g.initializers.get(name)!;
    params += times * t.data.length;
    nonzeros += times * countNonzeros(t);
  }
  for (const [name, times] of uses.state) stateElements += times * g.initializers.get(name)!.data.length;
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
    activationMacs: 0,
    macsComplete,
    stateElements,
    bytes: encodedSize(g),
    layers: layers.length,
  };
}
