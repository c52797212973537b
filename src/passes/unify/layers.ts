import type { Graph } from '../../ir/graph.js';
import { gemmViews, readGemmMatrix, type GemmView } from '../../ir/gemm-view.js';
import { ReproError } from '../../util/errors.js';
import { applyBlockStates, blockGrid, STATE, type BlockGrid, type BlockShape } from './blocks.js';

/** One weight under unification: its GEMM view, block grid and GEMM-index → storage-index map. */
export interface UnifyLayer {
  view: GemmView;
  grid: BlockGrid;
  /** toStored[i] = index in the weight tensor of GEMM-view element i. */
  toStored: Int32Array;
  /** Output positions per sample (H·W of a conv output, 1 for Gemm), for multiply counts. */
  positions: number;
}

export function unifyLayers(g: Graph, block: BlockShape, only?: string[]): UnifyLayer[] {
  const views = gemmViews(g).filter((v) => !only || only.includes(v.node.name) || only.includes(v.weight));
  if (only) {
    for (const name of only)
      if (!views.some((v) => v.node.name === name || v.weight === name))
        throw new ReproError(`--layers: no Conv/Gemm/MatMul layer or weight named '${name}'`);
  }
  if (views.length === 0)
    throw new ReproError(`model '${g.name}' has no Conv/Gemm/MatMul layer with a constant weight to unify`);
  return views.map((view) => ({
    view,
    grid: blockGrid(view.rows, view.cols, block),
    toStored: storedIndex(view),
    positions: outputPositions(g, view),
  }));
}

function storedIndex(v: GemmView): Int32Array {
  const idx = new Int32Array(v.rows * v.cols);
  for (let r = 0; r < v.rows; r++)
    for (let c = 0; c < v.cols; c++) idx[r * v.cols + c] = v.transposed ? c * v.rows + r : r * v.cols + c;
  return idx;
}

function outputPositions(g: Graph, v: GemmView): number {
  if (v.node.opType !== 'Conv') return 1;
  const shape = g.valueInfo.get(v.node.outputs[0]!)?.shape;
  if (shape?.length !== 4) return 1;
  const [, , h, w] = shape;
  return typeof h === 'number' && typeof w === 'number' ? h * w : 1;
}

/** The GEMM-view matrix of a layer's current weight. */
export function layerMatrix(g: Graph, l: UnifyLayer): Float32Array {
  return readGemmMatrix(g.initializers.get(l.view.weight)!, l.view);
}

/** Write a GEMM-view matrix into a stored-layout array. */
export function scatterStored(m: ArrayLike<number>, l: UnifyLayer, out: Float32Array): Float32Array {
  for (let i = 0; i < m.length; i++) out[l.toStored[i]!] = m[i]!;
  return out;
}

/**
 * Hold the block structure fixed on a weight array in storage layout (in place): pruned blocks exactly 0, unified
 * blocks sign_i · m with the block's fixed signs and m = max(0, mean(sign_i · w_i)). After an SGD step this is
 * SGD on the shared magnitude with gradient Σ sign_i·g_i (step η/k).
 */
export function enforceStructure(w: Float32Array, l: UnifyLayer, states: Uint8Array, signs: Int8Array): void {
  const { grid, toStored } = l;
  for (let b = 0; b < grid.count; b++) {
    const st = states[b];
    if (st === STATE.free) continue;
    const r0 = Math.floor(b / grid.blockCols) * grid.bh,
      c0 = (b % grid.blockCols) * grid.bw;
    const r1 = Math.min(r0 + grid.bh, grid.rows),
      c1 = Math.min(c0 + grid.bw, grid.cols);
    if (st === STATE.pruned) {
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) w[toStored[r * grid.cols + c]!] = 0;
      continue;
    }
    let s = 0,
      k = 0;
    for (let r = r0; r < r1; r++)
      for (let c = c0; c < c1; c++) {
        const i = r * grid.cols + c;
        s += signs[i]! * w[toStored[i]!]!;
        k++;
      }
    const m = Math.max(0, s / k);
    for (let r = r0; r < r1; r++)
      for (let c = c0; c < c1; c++) {
        const i = r * grid.cols + c;
        w[toStored[i]!] = signs[i]! * m;
      }
  }
}

/** Hard-project a layer's weight in place under `states`; returns the fixed signs (GEMM order). */
export function hardProject(g: Graph, l: UnifyLayer, states: Uint8Array): Int8Array {
  const stored = g.initializers.get(l.view.weight)!.data as Float32Array;
  // Untransposed views are the stored layout itself: project in place, no copy of a 400 MB fc weight.
  const m = l.view.transposed ? layerMatrix(g, l) : stored;
  const signs = new Int8Array(m.length);
  for (let i = 0; i < m.length; i++) signs[i] = m[i]! < 0 ? -1 : 1;
  if (!l.view.transposed) {
    applyBlockStates(stored, stored, l.grid, states);
    return signs;
  }
  const projected = new Float32Array(m.length);
  applyBlockStates(m, projected, l.grid, states);
  scatterStored(projected, l, stored);
  return signs;
}
