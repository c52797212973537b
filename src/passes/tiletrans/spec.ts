/** What the registry knows of `tiletrans` (cheap to import). */
import type { PassSpec } from '../contract.js';

export interface TileTransPassOptions {
  mode: 'sort' | 'search';
  importance: 'l1' | 'l2' | 'taylor';
  /** The tile (or `pattern`) and `sparsity` a search optimises for. */
  tile: string;
  pattern?: string;
  sparsity: number;
  scope: 'global' | 'layer';
  /** Layers left out of the objective (still permuted, so the function is kept). */
  skip: string[];
  calib: number;
  seed: number;
}

export const TILETRANS_SPEC: PassSpec<TileTransPassOptions> = {
  name: 'tiletrans',
  kind: 'reparam',
  summary: 'permute channels so important weights share tiles (TileTrans); the function is unchanged',
  data: 'calibration',
  // Taylor gradients come from a seeded shuffle of the whole training set.
  samplesUsed: (o) => (o.importance === 'taylor' ? undefined : 0),
  options: {
    mode: {
      type: 'choice',
      values: ['sort', 'search'],
      default: 'sort',
      help: "sort (the paper's heuristic) or search (ours: maximise importance kept under the pattern)",
    },
    importance: {
      type: 'choice',
      values: ['l1', 'l2', 'taylor'],
      default: 'l1',
      help: 'weight importance: |w|, w², or Taylor (w·grad)² on --data',
    },
    tile: { type: 'string', default: '128x1', help: 'search: tile shape HxW the permutation is optimised for' },
    pattern: { type: 'string', help: "search: 'tile', 'element' or N:M (e.g. 2:4) to optimise for" },
    sparsity: {
      type: 'number',
      min: 0,
      max: 0.999,
      default: 0.5,
      help: 'search: target sparsity the permutation is optimised for',
    },
    scope: {
      type: 'choice',
      values: ['global', 'layer'],
      default: 'global',
      help: 'search: threshold over all layers or per layer',
    },
    skip: { type: 'list', default: [], help: 'layers left out of the objective (still permuted)' },
    calib: {
      type: 'number',
      integer: true,
      min: 1,
      default: 512,
      help: 'taylor: training samples the gradient is averaged over',
    },
    seed: { type: 'number', integer: true, min: 0, default: 0, help: 'seed of sample shuffles and of the N:M search' },
  },
};
