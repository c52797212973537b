import type { Graph, Node } from '../../ir/graph.js';
import { progressLines } from '../../util/progress-lines.js';
import { LOP_SUFFIX } from './expand.js';
import { layerDims, tryMergePair } from './merge-pair.js';

export interface MergeOptions {
  /** Merge only layers created by lopExpand (default true); false merges every mergeable linear pair. */
  onlyExpanded?: boolean;
  /**
   * Find the merges without multiplying the weights (they come back as zeros of the right shape): what a plan
   * needs to count them, at a fraction of the cost.
   */
  structureOnly?: boolean;
  /** Progress lines for long merges (a ViT-B stack expanded ×4: minutes). */
  log?: (line: string) => void;
}

/**
 * Merge chains of linear layers back into one layer, exactly: a 1×1 conv (stride 1, no pad, no bias) into the
 * conv after it, a 1×1 conv into the conv before it (folding biases), and Gemm/MatMul pairs. Applied pairwise
 * until nothing changes, so 1×1∘k×k∘1×1 and longer Gemm chains collapse. Names of expanded layers and weights
 * return to their originals. k×k∘k×k chains are not merged (zero padding between them makes it inexact). Works on a
 * copy: the input graph is untouched.
 */
export async function lopMerge(g0: Graph, opts: MergeOptions = {}): Promise<{ graph: Graph; merged: number }> {
  const g = g0.clone(true);
  const only = opts.onlyExpanded ?? true;
  let merged = 0;
  // Each expanded layer takes two merges (its cheaper pair, then the rest); other chains are not counted ahead.
  const expected = 2 * g.nodes.filter((n) => n.name.endsWith(LOP_SUFFIX.middle)).length;
  const progress = progressLines(opts.structureOnly ? undefined : opts.log, 'lop-merge', expected);
  for (let changed = true; changed; ) {
    changed = false;
    const { producer, consumers } = g.index();
    for (const b of g.nodes) {
      const src = b.inputs[0] ?? '';
      const prod = producer.get(src);
      if (prod?.outputs[0] !== src || consumers.get(src)?.length !== 1 || g.isGraphOutput(src)) continue;
      if (only && !(isExpanded(prod) && isExpanded(b) && origin(prod) === origin(b))) continue;
      const [x, y] = cheaperPairFirst(g, prod, b, consumers);
      const compute = !opts.structureOnly;
      if ((await tryMergePair(g, x, y, compute)) || (x !== prod && (await tryMergePair(g, prod, b, compute)))) {
        merged++;
        if (merged <= expected) progress.step(merged, origin(b));
        changed = true;
        break;
      }
    }
  }
  restoreNames(g);
  return { graph: g, merged };
}

/**
 * For an expanded triple first → middle → last, the pair to merge first: like a matrix chain, (E1·M)·E3 and
 * E1·(M·E3) cost r·in·out·taps·(r·in + out) and r·in·out·taps·(r·out + in) multiply-adds, so a layer that widens
 * (in < out) merges first∘middle and one that narrows merges middle∘last (half the work of the other order for a
 * transformer's 3072 → 768 projection). Any other pair comes back as it was found.
 */
function cheaperPairFirst(g: Graph, first: Node, middle: Node, consumers: Map<string, Node[]>): [Node, Node] {
  const after = consumers.get(middle.outputs[0] ?? '');
  const last = after?.length === 1 ? after[0]! : undefined;
  if (!last || !middle.name.endsWith(LOP_SUFFIX.middle) || !last.name.endsWith(LOP_SUFFIX.last)) return [first, middle];
  if (!first.name.endsWith(LOP_SUFFIX.first) || origin(last) !== origin(middle)) return [first, middle];
  const [e1, m, e3] = [first, middle, last].map((n) => layerDims(g, n));
  if (!e1 || !m || !e3) return [first, middle];
  const firstPair = m.out * m.in * e1.in * m.taps + e3.out * m.out * e1.in * m.taps;
  const lastPair = e3.out * m.out * m.in * m.taps + e3.out * m.in * e1.in * m.taps;
  return lastPair < firstPair ? [middle, last] : [first, middle];
}

function isExpanded(n: Node): boolean {
  return Object.values(LOP_SUFFIX).some((s) => n.name.endsWith(s));
}

/** The layer an expanded node came from. */
function origin(n: Node): string {
  for (const s of Object.values(LOP_SUFFIX)) if (n.name.endsWith(s)) return n.name.slice(0, -s.length);
  return n.name;
}

/** Strip LOP suffixes from fully merged layers (node and weight names) where the original name is free. */
function restoreNames(g: Graph): void {
  g.invalidateNames(); // names change in place below
  const strip = (s: string) => s.replace(/\.lop_(expand|mid|reduce)$/, '').replace(/\.lop_(e1|m|e3)$/, '');
  for (const n of g.nodes) {
    const base = strip(n.name);
    if (base !== n.name && !g.nodes.some((m) => m !== n && m.name === base)) n.name = base;
    const w = n.inputs[1];
    if (w && strip(w) !== w && !g.initializers.has(strip(w))) {
      g.initializers.set(strip(w), g.initializers.get(w)!);
      g.initializers.delete(w);
      n.inputs[1] = strip(w);
    }
  }
}
