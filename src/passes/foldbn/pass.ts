/** `fold-bn` as a pass: the plan lists the BN nodes folded. */
import type { NoOptions, Pass, PlanHeader } from '../contract.js';
import { FOLD_BN_SPEC } from './spec.js';
import { foldBatchNorm } from './index.js';

export interface FoldBnReport {
  folded: string[];
  remaining: string[];
}

export interface FoldBnPlan extends PlanHeader<NoOptions> {
  fold: string[];
  report: FoldBnReport;
}

export const foldBnPass: Pass<NoOptions, FoldBnPlan, FoldBnReport> = {
  ...FOLD_BN_SPEC,
  plan(g, o) {
    const r = foldBatchNorm(g);
    return {
      pass: 'fold-bn',
      version: 1,
      options: o,
      fold: r.folded,
      report: { folded: r.folded, remaining: r.remaining },
    };
  },
  apply(g, plan) {
    const r = foldBatchNorm(g, plan.fold);
    return { graph: r.graph, report: { folded: r.folded, remaining: r.remaining } };
  },
};
