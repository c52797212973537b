/** `reprune reparam --transform srn | fold-bn` (registered in src/cli/commands/reparam.ts). */
import type { Graph } from '../../ir/graph.js';
import { modelMetrics } from '../../report/metrics.js';
import { foldBatchNorm } from '../foldbn/index.js';
import { serializeResiduals } from './index.js';

export function runSrn(g: Graph): { graph: Graph; summary: Record<string, unknown> } {
  const r = serializeResiduals(g);
  const before = modelMetrics(g).totals, after = modelMetrics(r.graph).totals;
  return {
    graph: r.graph,
    summary: {
      serialized: r.serialized, keptAdds: r.kept, foldedBn: r.foldedBn.length,
      macsBefore: before.macs, macsAfter: after.macs, paramsBefore: before.params, paramsAfter: after.params,
    },
  };
}

export function runFoldBn(g: Graph): { graph: Graph; summary: Record<string, unknown> } {
  const r = foldBatchNorm(g);
  return { graph: r.graph, summary: { folded: r.folded, remaining: r.remaining } };
}
