/**
 * What `reprune info` shows of a block-unified model: the block map `reprune unify` stores in the model's
 * metadata ('reprune.unify'), checked against the weights (pruned blocks all zero, unified blocks one magnitude).
 */
import type { Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/shape/index.js';
import { blockSize, forEachInBlock, parseBlock, STATE } from './blocks.js';
import { layerMatrix, unifyLayers } from './layers.js';

export interface UnifyLayerInfo {
  weight: string;
  blocks: number;
  unified: number;
  pruned: number;
  /** The weights still have the stored structure. */
  consistent: boolean;
}

export interface UnifyInfo {
  block: string;
  layers: UnifyLayerInfo[];
  unified: number;
  pruned: number;
  blocks: number;
}

export function unifyInfo(g: Graph): UnifyInfo | undefined {
  const raw = g.metadata['reprune.unify'];
  if (!raw) return undefined;
  let meta: { block: string; layers: Record<string, number[]> };
  try {
    meta = JSON.parse(raw) as typeof meta;
    parseBlock(meta.block);
  } catch {
    return undefined; // metadata from elsewhere: nothing to show
  }
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const layers = unifyLayers(shaped, parseBlock(meta.block)).filter(
    (l) => meta.layers[l.view.weight]?.length === l.grid.count,
  );
  const out: UnifyLayerInfo[] = layers.map((l) => {
    const states = meta.layers[l.view.weight]!;
    const m = layerMatrix(g, l);
    let consistent = true;
    for (let b = 0; b < l.grid.count && consistent; b++) {
      const vals: number[] = [];
      forEachInBlock(l.grid, b, (i) => vals.push(Math.abs(m[i]!)));
      if (states[b] === STATE.pruned) consistent = vals.every((v) => v === 0);
      else if (states[b] === STATE.unified)
        consistent = vals.length === blockSize(l.grid, b) && vals.every((v) => v === vals[0]);
    }
    return {
      weight: l.view.weight,
      blocks: l.grid.count,
      consistent,
      unified: states.filter((s) => s === STATE.unified).length,
      pruned: states.filter((s) => s === STATE.pruned).length,
    };
  });
  const sum = (k: 'unified' | 'pruned' | 'blocks') => out.reduce((a, l) => a + l[k], 0);
  return { block: meta.block, layers: out, unified: sum('unified'), pruned: sum('pruned'), blocks: sum('blocks') };
}
