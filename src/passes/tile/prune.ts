/**
 * Tile pruning of a graph: every prunable layer (Conv / Gemm / MatMul with a constant weight, in its
 * GEMM view) is scored with an importance and pruned to a pattern; the target sparsity is the fraction
 * of weights zeroed, counted over the prunable (non-skipped) layers. Threshold: global across layers
 * (default) or per layer. N:M patterns have their own fixed sparsity 1 − N/M.
 */
import type { Graph } from '../../ir/graph.js';
import { gemmMatrixForReading, gemmViews, readGemmMatrix, tensorFromGemm, type GemmView } from '../../ir/gemm-view.js';
import { ReproError } from '../../util/errors.js';
import { elementImportance, type ImportanceKind } from '../importance/element.js';
import { normScaleOfInput, scaleInputColumns } from '../importance/input-scale.js';
import { patternName, type Pattern } from './pattern.js';
import { nmSelect, selectTiles, tileMask, tileSums, type Grid } from './select.js';

export interface TilePruneOptions {
  pattern: Pattern;
  /** Fraction of prunable weights to zero (tile patterns). */
  sparsity: number;
  importance?: ImportanceKind;
  scope?: 'global' | 'layer';
  /** Node names to leave dense; 'first' / 'last' name the first / last prunable layer. */
  skip?: string[];
  /** Gradients per weight initializer in GEMM-view layout (taylor importance). */
  grads?: Map<string, Float32Array>;
}

export interface LayerPlan {
  node: string;
  weight: string;
  rows: number;
  cols: number;
  sparsity: number;
  /** Fraction of the layer's importance kept. */
  importanceKept: number;
  /** Keep-mask over the GEMM view (1 = keep). */
  mask: Uint8Array;
}

export interface TilePlan {
  pattern: string;
  sparsity: number;
  importanceKept: number;
  layers: LayerPlan[];
}

/** Layers the pass prunes, after resolving --skip. */
export function prunableLayers(g: Graph, skip: string[] = []): GemmView[] {
  const all = gemmViews(g);
  const names = new Set(all.map((v) => v.node.name));
  const drop = new Set<string>();
  for (const s of skip) {
    if (s === 'first' && all.length) drop.add(all[0]!.node.name);
    else if (s === 'last' && all.length) drop.add(all[all.length - 1]!.node.name);
    else if (!names.has(s))
      throw new ReproError(
        `--skip ${s}: no prunable layer (Conv/Gemm/MatMul with constant weight) has that node name; known: ${[...names].join(', ')}`,
      );
    else drop.add(s);
  }
  return all.filter((v) => !drop.has(v.node.name));
}

/** GEMM-view importance of a layer's weight. */
export function layerImportance(
  g: Graph,
  v: GemmView,
  kind: ImportanceKind = 'l1',
  grads?: Map<string, Float32Array>,
): Float32Array {
  // Read only (a view of the weight where its layout allows): importance and input scaling both write new arrays.
  const w = gemmMatrixForReading(g.initializers.get(v.weight)!, v);
  // Magnitude sees the weight as if a LayerNorm's scale right before it were folded in (input-scale.ts); Taylor's
  // gradient already carries it.
  const gamma = kind === 'taylor' ? undefined : normScaleOfInput(g, v);
  return elementImportance(gamma ? scaleInputColumns(w, v.rows, v.cols, gamma) : w, kind, grads?.get(v.weight));
}

function sum(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

/** Decide the masks without touching the graph. */
export function planTilePrune(g: Graph, opts: TilePruneOptions): TilePlan {
  if (!(opts.sparsity >= 0 && opts.sparsity < 1))
    throw new ReproError(`--sparsity ${opts.sparsity}: expected a fraction in [0, 1)`);
  const views = prunableLayers(g, opts.skip);
  if (!views.length)
    throw new ReproError('the model has no prunable layer (Conv/Gemm/MatMul with a constant float weight)');
  const imps = views.map((v) => layerImportance(g, v, opts.importance, opts.grads));
  const p = opts.pattern;
  let masks: Uint8Array[];
  let kept: number[];
  if (p.kind === 'nm') {
    const res = views.map((v, i) => nmSelect(imps[i]!, v.rows, v.cols, p.n, p.m));
    masks = res.map((r) => r.mask);
    kept = res.map((r) => r.kept);
  } else {
    const grids: Grid[] = views.map((v, i) => tileSums(imps[i]!, v.rows, v.cols, p.th, p.tw));
    const pruned =
      opts.scope === 'layer'
        ? grids.map((gr) => selectTiles([gr], opts.sparsity)[0]!)
        : selectTiles(grids, opts.sparsity);
    masks = grids.map((gr, i) => tileMask(gr, pruned[i]!));
    kept = grids.map((gr, i) => gr.sums.reduce((s, x, t) => (pruned[i]![t] ? s : s + x), 0));
  }
  const layers = views.map((v, i): LayerPlan => {
    const zeros = masks[i]!.length - masks[i]!.reduce((s, x) => s + x, 0);
    const tot = sum(imps[i]!);
    return {
      node: v.node.name,
      weight: v.weight,
      rows: v.rows,
      cols: v.cols,
      sparsity: zeros / masks[i]!.length,
      importanceKept: tot > 0 ? kept[i]! / tot : 1,
      mask: masks[i]!,
    };
  });
  const totalW = layers.reduce((s, l) => s + l.rows * l.cols, 0);
  const totalImp = imps.reduce((s, m) => s + sum(m), 0);
  return {
    pattern: patternName(p),
    sparsity: layers.reduce((s, l) => s + l.sparsity * l.rows * l.cols, 0) / totalW,
    importanceKept: totalImp > 0 ? kept.reduce((a, b) => a + b, 0) / totalImp : 1,
    layers,
  };
}

/** Masked layers: every listed weight with its pruned elements zeroed (new tensors; nothing is written in place). */
export interface LayerMask {
  node: string;
  rows: number;
  cols: number;
  /** Keep-mask over the GEMM view (1 = keep). */
  mask: Uint8Array;
}

/** A new graph whose listed layers have their pruned weights zeroed; `g` is left as it was. */
export function applyTileMasks(g: Graph, layers: LayerMask[]): Graph {
  const out = g.clone(true);
  const views = new Map(gemmViews(out).map((v) => [v.node.name, v]));
  for (const l of layers) {
    const v = views.get(l.node);
    if (!v)
      throw new ReproError(
        `tile plan: node '${l.node}' is not a prunable layer of this model; the plan was made for another model`,
      );
    if (v.rows !== l.rows || v.cols !== l.cols)
      throw new ReproError(
        `tile plan: layer '${l.node}' is ${v.rows}x${v.cols}, the plan says ${l.rows}x${l.cols}; the plan was made for another model`,
      );
    const t = out.initializers.get(v.weight)!;
    const w = readGemmMatrix(t, v);
    for (let i = 0; i < w.length; i++) if (!l.mask[i]) w[i] = 0;
    out.initializers.set(v.weight, tensorFromGemm(t, v, w));
  }
  return out;
}

/** Plan and apply: the pruned copy of `g` and the plan (masks included). */
export function tilePrune(g: Graph, opts: TilePruneOptions): { graph: Graph; plan: TilePlan } {
  const plan = planTilePrune(g, opts);
  return { graph: applyTileMasks(g, plan.layers), plan };
}
