/**
 * Tile-sparse lowering: rewrite a pruned Gemm / MatMul / Conv (group 1) into dense ops over only the
 * weights that survive, so plain ONNX Runtime runs it faster with no sparse kernels.
 *
 * Rows (output channels) are grouped by the set of input features they still read (rows of one 128×1
 * tile row-block share that set; TileTrans makes those sets small). Each row group becomes
 *   Gather(x, needed features) → MatMul (or Conv) with a dense [features, rows] weight,
 * the groups are concatenated along the channel axis, a Gather restores the row order when the groups
 * are not contiguous, and the bias is added last. Pruned weights are exact zeros, so the result equals
 * the masked dense model up to float summation order.
 */
import { A, attrFloat, attrInt } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { gemmViewOf, readGemmMatrix } from '../../ir/gemm-view.js';
import { f32, i64vec } from '../../ir/tensor.js';

export interface LowerOptions {
  /** Row groups smaller than this are merged with their neighbours (tiny MatMuls cost more than they save). */
  minRows?: number;
  /** Lower a layer only if it keeps at most this fraction of the dense multiply-adds. */
  maxDensity?: number;
}

export interface LoweredLayer {
  node: string;
  groups: number;
  /** Fraction of the dense multiply-adds the lowered layer performs. */
  density: number;
}

interface RowGroup { rows: number[]; cols: number[] }

/** Group rows by their needed input channels (features), merging small groups in pattern order. */
function rowGroups(w: Float32Array, rows: number, cols: number, taps: number, minRows: number): RowGroup[] {
  const ch = cols / taps;
  const keys = new Map<string, number[]>();
  const needs: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const need = new Uint8Array(ch);
    for (let c = 0; c < cols; c++) if (w[r * cols + c] !== 0) need[(c / taps) | 0] = 1;
    needs.push(need);
    const k = need.join('');
    const list = keys.get(k);
    if (list) list.push(r); else keys.set(k, [r]);
  }
  const groups = [...keys.entries()].sort((a, b) => (a[0] < b[0] ? 1 : -1)).map(([, rs]) => rs);
  const merged: number[][] = [];
  for (const rs of groups) {
    const last = merged[merged.length - 1];
    if (last && last.length < minRows) last.push(...rs); else merged.push([...rs]);
  }
  if (merged.length > 1 && merged[merged.length - 1]!.length < minRows) merged[merged.length - 2]!.push(...merged.pop()!);
  return merged.map((rs) => {
    rs.sort((a, b) => a - b);
    const need = new Uint8Array(ch);
    for (const r of rs) for (let c = 0; c < ch; c++) need[c] |= needs[r]![c]!;
    const cs: number[] = [];
    for (let c = 0; c < ch; c++) if (need[c]) cs.push(c);
    return { rows: rs, cols: cs.length ? cs : [0] };
  });
}

function lowerNode(g: Graph, n: Node, opts: Required<LowerOptions>): LoweredLayer | undefined {
  const view = gemmViewOf(g, n);
  if (!view) return undefined;
  const W = g.initializers.get(view.weight)!;
  const isConv = n.opType === 'Conv';
  if (isConv && attrInt(n.attrs, 'group', 1) !== 1) return undefined;
  if (n.opType === 'Gemm' && attrInt(n.attrs, 'transA', 0) !== 0) return undefined;
  const bias = n.inputs[2] ? g.initializers.get(n.inputs[2]) : undefined;
  if (n.inputs[2] && (!bias || (bias.data.length !== view.rows && bias.data.length !== 1))) return undefined;
  const taps = isConv ? W.dims.slice(2).reduce((a, b) => a * b, 1) : 1;
  const m = readGemmMatrix(W, view);
  const groups = rowGroups(m, view.rows, view.cols, taps, opts.minRows);
  const macs = groups.reduce((s, gr) => s + gr.rows.length * gr.cols.length * taps, 0);
  const density = macs / (view.rows * view.cols);
  if (density > opts.maxDensity) return undefined;
  const alpha = n.opType === 'Gemm' ? attrFloat(n.attrs, 'alpha', 1) : 1;
  const beta = n.opType === 'Gemm' ? attrFloat(n.attrs, 'beta', 1) : 1;
  const x = n.inputs[0]!;
  const axis = isConv ? 1 : -1;
  const base = n.name || n.outputs[0]!;
  const newNodes: Node[] = [];
  // Names must be unique among the nodes emitted here too (they join the graph only at the end).
  const taken = g.valueNames();
  for (const node of g.nodes) taken.add(node.name);
  const emit = (op: string, ins: string[], attrs = {}) => {
    const name = g.uniqueName(`${base}_lw_${op.toLowerCase()}`, taken);
    const out = g.uniqueName(`${name}_out`, taken);
    newNodes.push({ name, opType: op, inputs: ins, outputs: [out], attrs });
    return out;
  };
  // 2-D inputs: work on xᵀ so every Gather copies whole contiguous rows (a column Gather is ~3× slower in ORT).
  const rank = n.opType === 'Gemm' ? 2 : (g.valueInfo.get(x)?.shape ?? g.inputs.find((v) => v.name === x)?.shape)?.length;
  const transposed = !isConv && rank === 2;
  const gAxis = transposed ? 0 : axis;
  const src = transposed ? emit('Transpose', [x], { perm: A.ints([1, 0]) }) : x;
  const parts: string[] = [];
  for (const [gi, gr] of groups.entries()) {
    const full = gr.cols.length === view.cols / taps && gr.cols.every((c, i) => c === i);
    const xin = full ? src : emit('Gather', [src, g.addInitializer(`${base}_lw${gi}_idx`, i64vec(gr.cols))], { axis: A.int(gAxis) });
    const K = gr.cols.length;
    const R = gr.rows.length;
    if (isConv) {
      const wd = new Float32Array(R * K * taps);
      gr.rows.forEach((r, i) => gr.cols.forEach((c, j) => wd.set(m.subarray(r * view.cols + c * taps, (r * view.cols) + (c + 1) * taps), (i * K + j) * taps)));
      const wn = g.addInitializer(`${base}_lw${gi}_w`, f32([R, K, ...W.dims.slice(2)], wd));
      parts.push(emit('Conv', [xin, wn], { ...n.attrs }));
    } else if (transposed) {
      const wd = new Float32Array(R * K);
      gr.rows.forEach((r, i) => gr.cols.forEach((c, j) => { wd[i * K + j] = alpha * m[r * view.cols + c]!; }));
      parts.push(emit('MatMul', [g.addInitializer(`${base}_lw${gi}_w`, f32([R, K], wd)), xin]));
    } else {
      const wd = new Float32Array(K * R);
      gr.cols.forEach((c, j) => gr.rows.forEach((r, i) => { wd[j * R + i] = alpha * m[r * view.cols + c]!; }));
      parts.push(emit('MatMul', [xin, g.addInitializer(`${base}_lw${gi}_w`, f32([K, R], wd))]));
    }
  }
  let y = parts.length === 1 ? parts[0]! : emit('Concat', parts, { axis: A.int(gAxis) });
  const order = groups.flatMap((gr) => gr.rows);
  if (order.some((r, i) => r !== i)) {
    const inv = new Array<number>(order.length);
    order.forEach((r, i) => { inv[r] = i; });
    y = emit('Gather', [y, g.addInitializer(`${base}_lw_order`, i64vec(inv))], { axis: A.int(gAxis) });
  }
  if (transposed) y = emit('Transpose', [y], { perm: A.ints([1, 0]) });
  if (bias) {
    const b = new Float32Array(bias.data as Float32Array).map((v) => v * beta);
    const dims = isConv ? [b.length, 1, 1].slice(0, b.length === 1 ? 1 : 3) : [b.length];
    y = emit('Add', [y, g.addInitializer(`${base}_lw_bias`, f32(b.length === 1 ? [1] : dims, b))]);
  }
  // The last node writes the original output name so downstream nodes and graph outputs are untouched.
  const last = newNodes[newNodes.length - 1];
  if (last) last.outputs = [n.outputs[0]!];
  else newNodes.push({ name: g.uniqueName(`${base}_lw_id`, taken), opType: 'Identity', inputs: [y], outputs: [n.outputs[0]!], attrs: {} });
  g.nodes.splice(g.nodes.indexOf(n), 1, ...newNodes);
  return { node: n.name, groups: groups.length, density };
}

/** Lower every sparse enough layer, in place; unused dense weights are dropped. */
export function lowerTileSparse(g: Graph, opts: LowerOptions = {}): LoweredLayer[] {
  const o = { minRows: opts.minRows ?? 64, maxDensity: opts.maxDensity ?? 0.85 };
  const done: LoweredLayer[] = [];
  for (const n of [...g.nodes]) {
    const r = lowerNode(g, n, o);
    if (r) done.push(r);
  }
  g.removeUnused();
  return done;
}
