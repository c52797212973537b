/** `srn` as a pass: the plan lists the residual Adds serialized (BN is folded first, as part of the construction). */
import type { NoOptions, Pass, PlanHeader } from '../contract.js';
import { serializeResiduals } from './index.js';
import { SRN_SPEC } from './spec.js';

export interface SrnReport {
  /** Add nodes serialized. */
  serialized: string[];
  /** Adds left, with the reason. */
  keptAdds: Record<string, string>;
  foldedBn: number;
}

export interface SrnPlan extends PlanHeader<NoOptions> {
  serialize: string[];
  report: SrnReport;
}

export const srnPass: Pass<NoOptions, SrnPlan, SrnReport> = {
  ...SRN_SPEC,
  plan(g, o) {
    const r = serializeResiduals(g);
    const report = { serialized: r.serialized, keptAdds: r.kept, foldedBn: r.foldedBn.length };
    return { pass: 'srn', version: 1, options: o, serialize: r.serialized, report };
  },
  apply(g, plan) {
    const r = serializeResiduals(g, plan.serialize);
    return {
      graph: r.graph,
      report: { serialized: r.serialized, keptAdds: plan.report.keptAdds, foldedBn: r.foldedBn.length },
    };
  },
};
