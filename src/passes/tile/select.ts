/**
 * Kernels of tile pruning: tile importance sums, global/per-layer selection of the tiles to prune,
 * N:M selection, and element masks. Optional `rowSrc`/`colSrc` read the matrix through a permutation
 * (position p holds original row rowSrc[p]) so a search can score candidates without copying weights.
 */

export interface Grid {
  rows: number;
  cols: number;
  th: number;
  tw: number;
  nr: number;
  nc: number;
  /** Sum of importance per tile, row-major over the [nr, nc] tile grid. */
  sums: Float64Array;
}

export function tileSize(gr: Grid, t: number): number {
  const b = Math.floor(t / gr.nc);
  const cb = t - b * gr.nc;
  return Math.min(gr.th, gr.rows - b * gr.th) * Math.min(gr.tw, gr.cols - cb * gr.tw);
}

export function tileSums(
  imp: Float32Array,
  rows: number,
  cols: number,
  th: number,
  tw: number,
  rowSrc?: ArrayLike<number>,
  colSrc?: ArrayLike<number>,
): Grid {
  const nr = Math.ceil(rows / th);
  const nc = Math.ceil(cols / tw);
  const sums = new Float64Array(nr * nc);
  const rowAcc = new Float64Array(nc);
  for (let b = 0; b < nr; b++) {
    rowAcc.fill(0);
    const end = Math.min(rows, (b + 1) * th);
    for (let p = b * th; p < end; p++) {
      const base = (rowSrc ? rowSrc[p]! : p) * cols;
      if (colSrc) {
        for (let c = 0; c < cols; c++) rowAcc[(c / tw) | 0] += imp[base + colSrc[c]!]!;
      } else if (tw === 1) {
        for (let c = 0; c < cols; c++) rowAcc[c] += imp[base + c]!;
      } else {
        for (let c = 0; c < cols; c++) rowAcc[(c / tw) | 0] += imp[base + c]!;
      }
    }
    sums.set(rowAcc, b * nc);
  }
  return { rows, cols, th, tw, nr, nc, sums };
}

/**
 * Choose tiles to prune across grids: lowest mean importance first, until about `fraction` of all
 * weights are pruned (a tile is pruned while that brings the count closer to the target).
 * Returns one Uint8Array per grid (1 = pruned tile).
 */
export function selectTiles(grids: Grid[], fraction: number): Uint8Array[] {
  let total = 0;
  let count = 0;
  for (const gr of grids) {
    total += gr.rows * gr.cols;
    count += gr.nr * gr.nc;
  }
  const target = fraction * total;
  const means = new Float64Array(count);
  const owner = new Int32Array(count);
  const local = new Int32Array(count);
  let k = 0;
  grids.forEach((gr, gi) => {
    for (let t = 0; t < gr.nr * gr.nc; t++, k++) {
      means[k] = gr.sums[t]! / tileSize(gr, t);
      owner[k] = gi;
      local[k] = t;
    }
  });
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => means[a]! - means[b]! || a - b);
  const out = grids.map((gr) => new Uint8Array(gr.nr * gr.nc));
  let pruned = 0;
  for (let i = 0; i < count; i++) {
    const j = order[i]!;
    const gr = grids[owner[j]!]!;
    const size = tileSize(gr, local[j]!);
    if (pruned + size / 2 > target) break;
    pruned += size;
    out[owner[j]!]![local[j]!] = 1;
  }
  return out;
}

/** Importance kept by a grid under a pruned-tile selection. */
export function keptOf(gr: Grid, pruned: Uint8Array): number {
  let s = 0;
  for (let t = 0; t < pruned.length; t++) if (!pruned[t]) s += gr.sums[t]!;
  return s;
}

/** Element keep-mask (1 = keep) of a tile selection, in the grid's (permuted) positions. */
export function tileMask(gr: Grid, pruned: Uint8Array): Uint8Array {
  const mask = new Uint8Array(gr.rows * gr.cols);
  for (let r = 0; r < gr.rows; r++) {
    const b = (r / gr.th) | 0;
    for (let c = 0; c < gr.cols; c++) mask[r * gr.cols + c] = pruned[b * gr.nc + ((c / gr.tw) | 0)] ? 0 : 1;
  }
  return mask;
}

/**
 * N:M selection: in every row, each run of m consecutive columns keeps its n most important elements
 * (a partial last run of k < m columns keeps min(n, k)). Returns the keep-mask and the importance kept.
 */
export function nmSelect(
  imp: Float32Array,
  rows: number,
  cols: number,
  n: number,
  m: number,
  colSrc?: ArrayLike<number>,
): { mask: Uint8Array; kept: number } {
  const mask = new Uint8Array(rows * cols);
  let kept = 0;
  const vals = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c0 = 0; c0 < cols; c0 += m) {
      const len = Math.min(m, cols - c0);
      for (let j = 0; j < len; j++) vals[j] = imp[base + (colSrc ? colSrc[c0 + j]! : c0 + j)]!;
      for (let pick = 0; pick < Math.min(n, len); pick++) {
        let best = -1;
        for (let j = 0; j < len; j++) if (!mask[base + c0 + j] && (best < 0 || vals[j]! > vals[best]!)) best = j;
        mask[base + c0 + best] = 1;
        kept += vals[best]!;
      }
    }
  }
  return { mask, kept };
}
