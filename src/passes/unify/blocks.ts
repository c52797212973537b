/**
 * Micro-structured blocks of a GEMM-view matrix [rows, cols]: tiles of bh×bw, partial at the edges.
 * A block is *unified* when its weights keep their signs and share one magnitude (sign·mean|w|, the
 * L2-closest such block) and *pruned* when it is all zero (METHODS.md §4).
 */
import { ReproError } from '../../util/errors.js';

export interface BlockShape {
  bh: number;
  bw: number;
}

export type BlockState = 'free' | 'unified' | 'pruned';

export interface BlockGrid {
  rows: number;
  cols: number;
  bh: number;
  bw: number;
  blockRows: number;
  blockCols: number;
  count: number;
}

export function blockGrid(rows: number, cols: number, { bh, bw }: BlockShape): BlockGrid {
  const blockRows = Math.ceil(rows / bh);
  const blockCols = Math.ceil(cols / bw);
  return { rows, cols, bh, bw, blockRows, blockCols, count: blockRows * blockCols };
}

/** Call `fn(index)` for every matrix element index of block b (row-major order within the block). */
export function forEachInBlock(grid: BlockGrid, b: number, fn: (idx: number) => void): void {
  const r0 = Math.floor(b / grid.blockCols) * grid.bh;
  const c0 = (b % grid.blockCols) * grid.bw;
  const r1 = Math.min(r0 + grid.bh, grid.rows);
  const c1 = Math.min(c0 + grid.bw, grid.cols);
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) fn(r * grid.cols + c);
}

export function blockSize(grid: BlockGrid, b: number): number {
  const r0 = Math.floor(b / grid.blockCols) * grid.bh;
  const c0 = (b % grid.blockCols) * grid.bw;
  return (Math.min(r0 + grid.bh, grid.rows) - r0) * (Math.min(c0 + grid.bw, grid.cols) - c0);
}

/** Per-block squared distance to the nearest unified block (Σ(|w|−mean|w|)²) and to zero (‖w‖²). */
export function blockCosts(m: ArrayLike<number>, grid: BlockGrid): { unify: Float64Array; prune: Float64Array } {
  const unify = new Float64Array(grid.count);
  const prune = new Float64Array(grid.count);
  for (let b = 0; b < grid.count; b++) {
    let s1 = 0,
      s2 = 0,
      k = 0;
    forEachInBlock(grid, b, (i) => {
      const a = Math.abs(m[i]!);
      s1 += a;
      s2 += a * a;
      k++;
    });
    prune[b] = s2;
    unify[b] = Math.max(0, s2 - (s1 * s1) / k);
  }
  return { unify, prune };
}

/** Shared magnitude of a block: mean |w|. */
export function blockMeanAbs(m: ArrayLike<number>, grid: BlockGrid, b: number): number {
  let s = 0,
    k = 0;
  forEachInBlock(grid, b, (i) => {
    s += Math.abs(m[i]!);
    k++;
  });
  return s / k;
}

/** Write the projection of `src` under `states` into `dst` (may alias src). Zero weights of a unified block take sign +. */
export function applyBlockStates(
  src: ArrayLike<number>,
  dst: Float32Array | Float64Array,
  grid: BlockGrid,
  states: Uint8Array,
): void {
  for (let b = 0; b < grid.count; b++) {
    const st = states[b]!;
    if (st === STATE.free) {
      if (dst !== src)
        forEachInBlock(grid, b, (i) => {
          dst[i] = src[i]!;
        });
    } else if (st === STATE.pruned) {
      forEachInBlock(grid, b, (i) => {
        dst[i] = 0;
      });
    } else {
      const mag = blockMeanAbs(src, grid, b);
      forEachInBlock(grid, b, (i) => {
        dst[i] = src[i]! < 0 ? -mag : mag;
      });
    }
  }
}

/** Numeric codes of BlockState in state arrays. */
export const STATE = { free: 0, unified: 1, pruned: 2 } as const;

export function parseBlock(spec: string): BlockShape {
  const m = /^(\d+)x(\d+)$/.exec(spec);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new ReproError(`--block ${spec}: expected HxW with positive integers, e.g. 1x4 or 4x4`);
  return { bh: Number(m[1]), bw: Number(m[2]) };
}
