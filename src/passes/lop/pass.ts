/** `lop-expand` and `lop-merge` as passes: the plans list the layers expanded / the merges made. */
import type { Pass, PlanHeader } from '../contract.js';
import { lopExpand } from './expand.js';
import { lopMerge } from './merge.js';
import { LOP_EXPAND_SPEC, LOP_MERGE_SPEC, type LopExpandOptions, type LopMergeOptions } from './spec.js';

export interface LopExpandReport {
  rate: number;
  expanded: string[];
  skipped: Array<{ node: string; reason: string }>;
}

export interface LopExpandPlan extends PlanHeader<LopExpandOptions> {
  /** Expanded in this order; the seeded factors are drawn in it, so replay rebuilds them exactly. */
  nodes: string[];
  report: LopExpandReport;
}

export const lopExpandPass: Pass<LopExpandOptions, LopExpandPlan, LopExpandReport> = {
  ...LOP_EXPAND_SPEC,
  async plan(g, o) {
    const r = await lopExpand(g, { rate: o.rate, seed: o.seed, structureOnly: true }); // apply draws the factors
    return {
      pass: 'lop-expand',
      version: 1,
      options: o,
      nodes: r.expanded,
      report: { rate: o.rate, expanded: r.expanded, skipped: r.skipped },
    };
  },
  async apply(g, plan, ctx) {
    const o = plan.options;
    const r = await lopExpand(g, { rate: o.rate, seed: o.seed, nodes: plan.nodes, log: ctx.log });
    return { graph: r.graph, report: { rate: plan.options.rate, expanded: r.expanded, skipped: plan.report.skipped } };
  },
};

export interface LopMergePlan extends PlanHeader<LopMergeOptions> {
  report: { merged: number };
}

export const lopMergePass: Pass<LopMergeOptions, LopMergePlan, { merged: number }> = {
  ...LOP_MERGE_SPEC,
  async plan(g, o) {
    // Merges are found pairwise until nothing changes; the count is the decision worth recording.
    return {
      pass: 'lop-merge',
      version: 1,
      options: o,
      report: { merged: (await lopMerge(g, { onlyExpanded: !o.allLinear, structureOnly: true })).merged },
    };
  },
  async apply(g, plan, ctx) {
    const r = await lopMerge(g, { onlyExpanded: !plan.options.allLinear, log: ctx.log });
    return { graph: r.graph, report: { merged: r.merged } };
  },
};
