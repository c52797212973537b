/**
 * Tile-sparse lowering: rewrite a pruned Gemm / MatMul / Conv (group 1) into dense ops over only the
 * weights that survive, so plain ONNX Runtime runs it faster with no sparse kernels.
 *
 * Rows (output channels) are grouped by the set of input features they still read (rows of one 128×1
 * tile row-block share that set; TileTrans makes those sets small). Each row group becomes
 *   Gather(x, needed features) → MatMul (or Conv) with a dense [features, rows] weight,
 * the groups are concatenated along the channel axis, a Gather restores the row order when the groups
 * are not contiguous, and the bias is added last. Groups of equal height run together (`batch`): one
 * Gather of all their padded feature lists and one batched MatMul or grouped Conv, because a handful
 * of large kernels beats many small ones in ORT. Pruned weights are exact zeros, so the result equals
 * the masked dense model up to float summation order.
 */
import { A, attrFloat, attrInt } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { gemmViewOf, readGemmMatrix } from '../../ir/gemm-view.js';
import { f32, i64, i64vec, type Tensor } from '../../ir/tensor.js';
import { batchGroups, type RowGroup, rowGroups } from './row-groups.js';

export interface LowerOptions {
  /** Row groups smaller than this are merged with their neighbours (tiny MatMuls cost more than they save). */
  minRows?: number;
  /** Lower a layer only if it keeps at most this fraction of the dense multiply-adds. */
  maxDensity?: number;
  /**
   * Run row groups of equal height as one batched MatMul (or one grouped Conv) over a single Gather,
   * padding each group's feature list with zero weights to the longest in its batch (default true).
   * Fewer, larger kernels: one Gather + one MatMul instead of a Gather + MatMul per group + Concat.
   */
  batch?: boolean;
  /** Consider only these nodes (a saved plan's decision); default: every layer. */
  nodes?: string[];
}

export interface LoweredLayer {
  node: string;
  groups: number;
  /** Kernels the groups became (= groups when not batched). */
  kernels: number;
  /** Fraction of the dense multiply-adds the row groups need (batching may pad this by up to 15 %). */
  density: number;
}

/** What the emitters of one layer share. */
interface LayerCtx {
  g: Graph;
  n: Node;
  base: string;
  /** Weight as a row-major [rows, cols] matrix (cols = channels · taps). */
  m: Float32Array;
  cols: number;
  taps: number;
  /** Kernel dims after [Cout, Cin] (Conv only). */
  kernel: number[];
  alpha: number;
  isConv: boolean;
  /** 2-D input worked on as xᵀ [features, N]. */
  transposed: boolean;
  /** Input in the layout the Gathers read, and the axis holding its features. */
  src: string;
  gAxis: number;
  emit: (op: string, ins: string[], attrs?: Node['attrs']) => string;
}

/** Dense weight block of `rows` × `cols` (channels), zero where a column index is padding (-1). */
function packWeight(c: LayerCtx, rows: number[], cols: number[], layout: 'rk' | 'kr'): Float32Array {
  const R = rows.length,
    K = cols.length,
    T = c.taps;
  const out = new Float32Array(R * K * T);
  rows.forEach((r, i) => {
    cols.forEach((ch, j) => {
      if (ch < 0) return;
      const at = layout === 'rk' ? (i * K + j) * T : (j * R + i) * T;
      for (let t = 0; t < T; t++) out[at + t] = c.alpha * c.m[r * c.cols + ch * T + t]!;
    });
  });
  return out;
}

/** One row group → Gather(needed features) → MatMul or Conv. Output holds the group's rows in order. */
function emitGroup(c: LayerCtx, gr: RowGroup, gi: number): string {
  const { g, base } = c;
  const full = gr.cols.length === c.cols / c.taps && gr.cols.every((ch, i) => ch === i);
  const xin = full
    ? c.src
    : c.emit('Gather', [c.src, g.addInitializer(`${base}_lw${gi}_idx`, i64vec(gr.cols))], { axis: A.int(c.gAxis) });
  const R = gr.rows.length,
    K = gr.cols.length;
  if (c.isConv)
    return c.emit(
      'Conv',
      [xin, g.addInitializer(`${base}_lw${gi}_w`, f32([R, K, ...c.kernel], packWeight(c, gr.rows, gr.cols, 'rk')))],
      { ...c.n.attrs },
    );
  if (c.transposed)
    return c.emit('MatMul', [
      g.addInitializer(`${base}_lw${gi}_w`, f32([R, K], packWeight(c, gr.rows, gr.cols, 'rk'))),
      xin,
    ]);
  return c.emit('MatMul', [
    xin,
    g.addInitializer(`${base}_lw${gi}_w`, f32([K, R], packWeight(c, gr.rows, gr.cols, 'kr'))),
  ]);
}

/**
 * B row groups of equal height R → one Gather of B padded feature lists and one kernel:
 * a batched MatMul [B,R,K]·[B,K,N] (xᵀ layout) or a Conv with group = B. Padding columns read
 * feature 0 with weight 0, so the result is unchanged.
 */
function emitBatch(c: LayerCtx, batch: RowGroup[], bi: number): string {
  const { g, base } = c;
  const B = batch.length,
    R = batch[0]!.rows.length;
  const K = Math.max(...batch.map((gr) => gr.cols.length));
  const padded = batch.map((gr) => [...gr.cols, ...new Array<number>(K - gr.cols.length).fill(-1)]);
  const w = new Float32Array(B * R * K * c.taps);
  batch.forEach((gr, i) => {
    w.set(packWeight(c, gr.rows, padded[i]!, 'rk'), i * R * K * c.taps);
  });
  const idx = padded.flat().map((ch) => Math.max(ch, 0));
  if (c.isConv) {
    const xin = c.emit('Gather', [c.src, g.addInitializer(`${base}_lb${bi}_idx`, i64vec(idx))], { axis: A.int(1) });
    const wn = g.addInitializer(`${base}_lb${bi}_w`, f32([B * R, K, ...c.kernel], w));
    return c.emit('Conv', [xin, wn], { ...c.n.attrs, group: A.int(B) });
  }
  const xin = c.emit('Gather', [c.src, g.addInitializer(`${base}_lb${bi}_idx`, i64([B, K], idx))], { axis: A.int(0) });
  const y = c.emit('MatMul', [g.addInitializer(`${base}_lb${bi}_w`, f32([B, R, K], w)), xin]);
  return c.emit('Reshape', [y, g.addInitializer(`${base}_lb${bi}_shape`, i64vec([B * R, -1]))]);
}

function lowerNode(g: Graph, n: Node, opts: Required<Omit<LowerOptions, 'nodes'>>): LoweredLayer | undefined {
  const layer = lowerable(g, n);
  if (!layer) return undefined;
  const { view, W, isConv, bias } = layer;
  const taps = isConv ? W.dims.slice(2).reduce((a, b) => a * b, 1) : 1;
  const m = readGemmMatrix(W, view);
  const groups = rowGroups(m, view.rows, view.cols, taps, opts.minRows);
  const macs = groups.reduce((s, gr) => s + gr.rows.length * gr.cols.length * taps, 0);
  const density = macs / (view.rows * view.cols);
  if (density > opts.maxDensity) return undefined;
  const base = n.name || n.outputs[0]!;
  const newNodes: Node[] = [];
  // Names must be unique among the nodes emitted here too (they join the graph only at the end).
  const taken = g.valueNames();
  for (const node of g.nodes) taken.add(node.name);
  const emit = (op: string, ins: string[], attrs: Node['attrs'] = {}) => {
    const name = g.uniqueName(`${base}_lw_${op.toLowerCase()}`, taken);
    const out = g.uniqueName(`${name}_out`, taken);
    newNodes.push({ name, opType: op, inputs: ins, outputs: [out], attrs });
    return out;
  };
  const c = layerCtx(g, n, { base, m, cols: view.cols, taps, kernel: W.dims.slice(2), isConv, emit });
  const batches = opts.batch && (isConv || c.transposed) ? batchGroups(groups) : groups.map((gr) => [gr]);
  const parts = batches.map((b, i) => (b.length === 1 ? emitGroup(c, b[0]!, i) : emitBatch(c, b, i)));
  let y = assemble(c, batches, parts);
  if (bias) y = addBias(c, y, bias);
  // The last node writes the original output name so downstream nodes and graph outputs are untouched.
  const last = newNodes[newNodes.length - 1];
  if (last) last.outputs = [n.outputs[0]!];
  else
    newNodes.push({
      name: g.uniqueName(`${base}_lw_id`, taken),
      opType: 'Identity',
      inputs: [y],
      outputs: [n.outputs[0]!],
      attrs: {},
    });
  g.nodes.splice(g.nodes.indexOf(n), 1, ...newNodes);
  return { node: n.name, groups: groups.length, kernels: parts.length, density };
}

/** The weight view of a constant-weight Gemm (A not transposed), MatMul or group-1 Conv with a usable bias. */
function lowerable(g: Graph, n: Node) {
  const view = gemmViewOf(g, n);
  if (!view) return undefined;
  const W = g.initializers.get(view.weight)!;
  const isConv = n.opType === 'Conv';
  if (isConv && attrInt(n.attrs, 'group', 1) !== 1) return undefined;
  if (n.opType === 'Gemm' && attrInt(n.attrs, 'transA', 0) !== 0) return undefined;
  const bias = n.inputs[2] ? g.initializers.get(n.inputs[2]) : undefined;
  if (n.inputs[2] && (!bias || (bias.data.length !== view.rows && bias.data.length !== 1))) return undefined;
  return { view, W, isConv, bias };
}

/** The emitters' shared context; a 2-D input is transposed first (emitted here, before any group). */
function layerCtx(
  g: Graph,
  n: Node,
  l: Pick<LayerCtx, 'base' | 'm' | 'cols' | 'taps' | 'kernel' | 'isConv' | 'emit'>,
): LayerCtx {
  const { isConv, emit } = l;
  const x = n.inputs[0]!;
  // 2-D inputs: work on xᵀ so every Gather copies whole contiguous rows (a column Gather is ~3× slower in ORT).
  const rank =
    n.opType === 'Gemm' ? 2 : (g.valueInfo.get(x)?.shape ?? g.inputs.find((v) => v.name === x)?.shape)?.length;
  const transposed = !isConv && rank === 2;
  return {
    g,
    n,
    ...l,
    alpha: n.opType === 'Gemm' ? attrFloat(n.attrs, 'alpha', 1) : 1,
    transposed,
    src: transposed ? emit('Transpose', [x], { perm: A.ints([1, 0]) }) : x,
    gAxis: transposed ? 0 : isConv ? 1 : -1,
  };
}

/** Concatenates the parts, restores the original row order when the batches moved rows, and undoes the transpose. */
function assemble(c: LayerCtx, batches: RowGroup[][], parts: string[]): string {
  const { g, base, emit } = c;
  let y = parts.length === 1 ? parts[0]! : emit('Concat', parts, { axis: A.int(c.gAxis) });
  const order = batches.flatMap((b) => b.flatMap((gr) => gr.rows));
  if (order.some((r, i) => r !== i)) {
    const inv = new Array<number>(order.length);
    order.forEach((r, i) => {
      inv[r] = i;
    });
    y = emit('Gather', [y, g.addInitializer(`${base}_lw_order`, i64vec(inv))], { axis: A.int(c.gAxis) });
  }
  if (c.transposed) y = emit('Transpose', [y], { perm: A.ints([1, 0]) });
  return y;
}

/** The bias is added last, scaled by Gemm's beta, shaped to broadcast over the output channels. */
function addBias(c: LayerCtx, y: string, bias: Tensor): string {
  const { n } = c;
  const beta = n.opType === 'Gemm' ? attrFloat(n.attrs, 'beta', 1) : 1;
  const b = new Float32Array(bias.data as Float32Array).map((v) => v * beta);
  const dims = c.isConv ? [b.length, 1, 1].slice(0, b.length === 1 ? 1 : 3) : [b.length];
  return c.emit('Add', [y, c.g.addInitializer(`${c.base}_lw_bias`, f32(b.length === 1 ? [1] : dims, b))]);
}

/** A copy of `g0` with every sparse enough layer lowered; unused dense weights are dropped. The input is untouched. */
export function lowerTileSparse(g0: Graph, opts: LowerOptions = {}): { graph: Graph; layers: LoweredLayer[] } {
  const g = g0.clone(true);
  const o = { minRows: opts.minRows ?? 64, maxDensity: opts.maxDensity ?? 0.85, batch: opts.batch ?? true };
  const only = opts.nodes ? new Set(opts.nodes) : undefined;
  const done: LoweredLayer[] = [];
  for (const n of [...g.nodes]) {
    if (only && !only.has(n.name)) continue;
    const r = lowerNode(g, n, o);
    if (r) done.push(r);
  }
  g.removeUnused();
  return { graph: g, layers: done };
}
