/**
 * `reparam(graph, options)`: function-preserving rewrites (the output computes the same function as the input, up
 * to float rounding), each a registered pass. The input graph is never modified.
 */
import type { Graph } from '../ir/graph.js';
import type { PassContext } from '../passes/contract.js';
import { byKey, type OptionNamer } from '../passes/options.js';
import { type PlanFile, planFile, runPipeline } from '../passes/pipeline.js';
import { ReproError } from '../util/errors.js';

export const REPARAM_TRANSFORMS = [
  'tiletrans',
  'fold-bn',
  'srn',
  'lop-expand',
  'lop-merge',
  'tile-lower',
  'unify-lower',
] as const;
export type ReparamTransform = (typeof REPARAM_TRANSFORMS)[number];

export type ReparamOptions =
  /** Permute channels so important rows share tiles (TileTrans). 'search' needs the tile/pattern and sparsity it optimises for. */
  | {
      transform: 'tiletrans';
      mode?: 'sort' | 'search';
      importance?: 'l1' | 'l2';
      tile?: string;
      pattern?: string;
      sparsity?: number;
      scope?: 'global' | 'layer';
      skip?: string[];
    }
  /** Fold inference-mode BatchNormalization into the preceding Conv/Gemm. */
  | { transform: 'fold-bn' }
  /** Serialize residual blocks (SRN): no Add left, every channel prunable. */
  | { transform: 'srn' }
  /** Linear over-parameterization: each layer becomes three linear layers, r times wider inside. */
  | { transform: 'lop-expand'; rate?: number; seed?: number }
  /** Merge expanded (or, with allLinear, any mergeable) chains of linear layers back. */
  | { transform: 'lop-merge'; allLinear?: boolean }
  /** Rewrite tile-sparse layers into smaller dense ops over the surviving weights. */
  | { transform: 'tile-lower'; minRows?: number; maxDensity?: number; batch?: boolean; measureBatch?: number }
  /** Unified fully connected layers as signed block sums times one magnitude per block (from `unify`'s block map). */
  | { transform: 'unify-lower'; measureBatch?: number };

export interface ReparamResult {
  graph: Graph;
  /** The pass's report, with `transform` naming it. */
  summary: Record<string, unknown> & { transform: ReparamTransform };
  plan: PlanFile;
}

/**
 * Rewrite a model into an equivalent form.
 * @example
 * const { graph } = await reparam(g, { transform: 'tiletrans' });       // then prune(graph, { method: 'tile', ... })
 * const wide = (await reparam(pruned, { transform: 'lop-expand', rate: 4 })).graph;
 */
export async function reparam(
  g: Graph,
  o: ReparamOptions,
  ctx: PassContext = {},
  namer: OptionNamer = byKey,
): Promise<ReparamResult> {
  const { transform, ...options } = o ?? ({} as ReparamOptions);
  if (!(REPARAM_TRANSFORMS as readonly string[]).includes(transform)) {
    throw new ReproError(
      `reparam: unknown transform '${String(transform)}'; choose one of ${REPARAM_TRANSFORMS.join(', ')}`,
    );
  }
  const r = await runPipeline(g, [{ pass: transform, options }], ctx, namer);
  return {
    graph: r.graph,
    summary: { transform, ...(r.reports[0]!.report as Record<string, unknown>) },
    plan: planFile(g, r.plans),
  };
}
