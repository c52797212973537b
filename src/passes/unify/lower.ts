/**
 * The computation a block-unified layer was made for, written out in ONNX ops: a unified block of height bh and
 * width bw needs, per row, a signed sum of its bw inputs and one multiply by the block's shared magnitude. For a
 * fully connected layer y = x·Wᵀ (+ b) with W = F + U (F: the free blocks, U: the unified ones, pruned blocks zero):
 *   y = x·Fᵀ + Σ_k (x_k · S_k) ⊙ M_k (+ b)
 * where x_k [N, bw] is block column k of the input, S_k [bw, rows] holds the signs of its unified blocks (0
 * elsewhere) and M_k [rows] their magnitudes. In ONNX: Reshape x to [N, K, bw], Transpose to [K, N, bw], one batched
 * MatMul with S [K, bw, rows], Mul by M [K, 1, rows], ReduceSum over K. Only block columns holding a unified block
 * are computed. The sign MatMul multiplies by ±1 only; a kernel that adds instead of multiplying (none in stock ORT)
 * is what turns it into the saving the accounting counts. Equal to the unified layer up to float summation order.
 */
import { A, attrFloat, attrInt } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { f32, i64vec } from '../../ir/tensor.js';
import { type BlockGrid, STATE, parseBlock } from './blocks.js';
import { type UnifyLayer, layerMatrix, unifyLayers } from './layers.js';

export const UNIFY_METADATA_KEY = 'reprune.unify';

export interface UnifyLoweredLayer {
  node: string;
  weight: string;
  unifiedBlocks: number;
  /** Block columns computed by the sign MatMul (of the layer's blockCols). */
  blockCols: number;
}

interface UnifyMeta {
  block: string;
  layers: Record<string, number[]>;
}

/** The block map `reprune unify` stored in the model, or undefined when there is none (or it is not ours). */
export function unifyMetadata(g: Graph): UnifyMeta | undefined {
  const raw = g.metadata[UNIFY_METADATA_KEY];
  if (!raw) return undefined;
  try {
    const meta = JSON.parse(raw) as UnifyMeta;
    parseBlock(meta.block);
    return meta;
  } catch {
    return undefined;
  }
}

/** Why a unified layer cannot take the lowered form (undefined = it can). */
function obstacle(shaped: Graph, n: Node): string | undefined {
  if (n.opType === 'Gemm') {
    if (attrInt(n.attrs, 'transA', 0) !== 0) return 'Gemm with transA';
    if (attrFloat(n.attrs, 'alpha', 1) !== 1 || attrFloat(n.attrs, 'beta', 1) !== 1) return 'Gemm with alpha/beta ≠ 1';
    return undefined;
  }
  if (n.opType !== 'MatMul') return `${n.opType}: the lowered form covers fully connected layers (Gemm, MatMul)`;
  const shape = shaped.valueInfo.get(n.inputs[0]!)?.shape ?? shaped.inputs.find((v) => v.name === n.inputs[0])?.shape;
  return shape?.length === 2 ? undefined : 'MatMul input is not 2-D';
}

/** Split a unified layer's GEMM-view matrix: free part Fᵀ [cols, rows], signs S and magnitudes M per active column. */
function splitLayer(m: Float32Array, grid: BlockGrid, states: number[]) {
  const { rows, cols, bh, bw, blockCols } = grid;
  const state = (r: number, c: number) => states[Math.floor(r / bh) * blockCols + Math.floor(c / bw)];
  const active = [...Array(blockCols).keys()].filter((k) =>
    [...Array(grid.blockRows).keys()].some((br) => states[br * blockCols + k] === STATE.unified),
  );
  const ft = new Float32Array(cols * rows);
  const s = new Float32Array(active.length * bw * rows);
  const mag = new Float32Array(active.length * rows);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const w = m[r * cols + c]!;
      if (state(r, c) !== STATE.unified) {
        if (state(r, c) === STATE.free) ft[c * rows + r] = w;
        continue;
      }
      const a = active.indexOf(Math.floor(c / bw));
      s[(a * bw + (c % bw)) * rows + r] = w < 0 ? -1 : 1;
      mag[a * rows + r] = Math.abs(w);
    }
  return { ft, s, mag, active };
}

/** True when pruned blocks are zero and every unified block holds one magnitude (else lowering would change f). */
function consistent(m: Float32Array, grid: BlockGrid, states: number[]): boolean {
  const first = new Map<number, number>();
  for (let r = 0; r < grid.rows; r++)
    for (let c = 0; c < grid.cols; c++) {
      const b = Math.floor(r / grid.bh) * grid.blockCols + Math.floor(c / grid.bw);
      const v = Math.abs(m[r * grid.cols + c]!);
      if (states[b] === STATE.pruned && v !== 0) return false;
      if (states[b] !== STATE.unified) continue;
      if (!first.has(b)) first.set(b, v);
      else if (first.get(b) !== v) return false;
    }
  return true;
}

/** Emits the lowered nodes of one layer in place of its node; returns what was done. */
function lowerLayer(g: Graph, l: UnifyLayer, states: number[]): UnifyLoweredLayer {
  const n = l.view.node;
  const { bw, rows, cols } = l.grid;
  const { ft, s, mag, active } = splitLayer(layerMatrix(g, l), l.grid, states);
  const K = active.length;
  const taken = g.valueNames();
  for (const node of g.nodes) taken.add(node.name);
  const nodes: Node[] = [];
  const emit = (op: string, inputs: string[], attrs: Node['attrs'] = {}) => {
    const name = g.uniqueName(`${n.name}_ul_${op.toLowerCase()}`, taken);
    const out = g.uniqueName(`${name}_out`, taken);
    nodes.push({ name, opType: op, inputs, outputs: [out], attrs });
    return out;
  };
  const init = (suffix: string, t: ReturnType<typeof f32>) => g.addInitializer(`${n.name}_ul_${suffix}`, t);
  const x = n.inputs[0]!;
  const free = emit('MatMul', [x, init('free', f32([cols, rows], ft))]);
  const padded = cols % bw ? emit('Pad', [x, init('pads', i64vec([0, 0, 0, l.grid.blockCols * bw - cols]))]) : x;
  const blocks = emit('Reshape', [padded, init('shape', i64vec([0, l.grid.blockCols, bw]))]);
  let byCol = emit('Transpose', [blocks], { perm: A.ints([1, 0, 2]) });
  if (K < l.grid.blockCols) byCol = emit('Gather', [byCol, init('cols', i64vec(active))], { axis: A.int(0) });
  const sums = emit('MatMul', [byCol, init('signs', f32([K, bw, rows], s))]);
  const scaled = emit('Mul', [sums, init('scales', f32([K, 1, rows], mag))]);
  const unified =
    g.opset >= 13
      ? emit('ReduceSum', [scaled, init('axes', i64vec([0]))], { keepdims: A.int(0) })
      : emit('ReduceSum', [scaled], { axes: A.ints([0]), keepdims: A.int(0) });
  let y = emit('Add', [free, unified]);
  if (n.opType === 'Gemm' && n.inputs[2]) y = emit('Add', [y, n.inputs[2]]);
  nodes[nodes.length - 1]!.outputs = [n.outputs[0]!];
  g.nodes.splice(g.nodes.indexOf(n), 1, ...nodes);
  const unifiedBlocks = states.filter((st) => st === STATE.unified).length;
  return { node: n.name, weight: l.view.weight, unifiedBlocks, blockCols: K };
}

/**
 * A copy of `g0` with every unified fully connected layer (from its 'reprune.unify' block map) in the lowered form;
 * `only` restricts it to these node names (a saved plan's decision). Layers that cannot take it are listed with why.
 */
export function lowerUnified(
  g0: Graph,
  only?: string[],
): { graph: Graph; layers: UnifyLoweredLayer[]; skipped: Record<string, string> } {
  const meta = unifyMetadata(g0);
  const g = g0.clone(true);
  const skipped: Record<string, string> = {};
  if (!meta) return { graph: g, layers: [], skipped };
  const shaped = g0.clone(true);
  inferShapes(shaped, { batch: 1 });
  const wanted = only ? new Set(only) : undefined;
  const layers: UnifyLoweredLayer[] = [];
  for (const l of unifyLayers(g, parseBlock(meta.block))) {
    const states = meta.layers[l.view.weight];
    const name = l.view.node.name;
    if (!states || states.length !== l.grid.count || (wanted && !wanted.has(name))) continue;
    const why =
      obstacle(shaped, l.view.node) ??
      (states.includes(STATE.unified) ? undefined : 'no unified block') ??
      (consistent(layerMatrix(g, l), l.grid, states) ? undefined : 'weights changed since unification');
    if (why) skipped[name] = why;
    else layers.push(lowerLayer(g, l, states));
  }
  const left = Object.fromEntries(Object.entries(meta.layers).filter(([w]) => !layers.some((l) => l.weight === w)));
  g.metadata[UNIFY_METADATA_KEY] = JSON.stringify({ block: meta.block, layers: left });
  g.removeUnused();
  return { graph: g, layers, skipped };
}
