/**
 * One-shot unification without training: every layer hard-projected onto "n_u unified and n_p pruned blocks" (the
 * structure ADMM ends with), the block map stored in the model's metadata as `reprune unify` stores it. For tests,
 * benches that time the structure (latency does not depend on trained values) and the lowered form.
 */
import type { Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { type BlockAccounting, accountLayer, sumAccounting } from './accounting.js';
import { type BlockShape, blockCosts } from './blocks.js';
import { hardProject, layerMatrix, type UnifyLayer, unifyLayers } from './layers.js';
import { UNIFY_METADATA_KEY } from './lower.js';
import { statesFromCosts, type UnifyTarget } from './projection.js';

/** A deep copy of `g0` with its layers projected (or only `layers`), and the block accounting. */
export function projectModel(
  g0: Graph,
  block: BlockShape,
  target: UnifyTarget,
  layers?: string[],
): { graph: Graph; accounting: BlockAccounting } {
  const g = g0.clone();
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const ls = unifyLayers(shaped, block, layers);
  const { states } = projectLayersInPlace(g, ls, target);
  const acc = ls.map((l, i) => accountLayer(l.grid, states[i]!, l.positions));
  g.metadata[UNIFY_METADATA_KEY] = JSON.stringify({
    block: `${block.bh}x${block.bw}`,
    layers: Object.fromEntries(ls.map((l, i) => [l.view.weight, Array.from(states[i]!)])),
  });
  return { graph: g, accounting: sumAccounting(acc) };
}

/**
 * Π_S applied to `layers` of `g`, in place: the states from each layer's block costs (one matrix copy alive at a
 * time), then the hard projection. Returns the states and each layer's fixed signs (what retraining holds).
 */
export function projectLayersInPlace(
  g: Graph,
  layers: UnifyLayer[],
  target: UnifyTarget,
): { states: Uint8Array[]; signs: Int8Array[] } {
  const states = statesFromCosts(
    layers.map((l) => blockCosts(layerMatrix(g, l), l.grid)),
    layers.map((l) => l.grid),
    target,
  );
  return { states, signs: layers.map((l, i) => hardProject(g, l, states[i]!)) };
}
