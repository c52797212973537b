/**
 * Demo step: structured channel pruning to a MAC budget with PRO choosing the per-layer ratios, once with
 * L1 filter norms (selection only) and once with REAP (selection + folding the removed channels into the
 * survivors), no retraining, through the library's `prune` (the same passes as the CLI). The L1 model is handed
 * on to the LOP step. Also times REAP's O(n³) greedy
 * against the naive O(n⁴) one on random layer problems (the report's scaling plot).
 */
import type { Graph } from '../ir/graph.js';
import { randomProblem } from '../passes/reap/synthetic.js';
import { reapFast, reapNaive } from '../passes/reap/index.js';
import { prune, type StructuredSummary } from '../api/prune.js';
import type { MethodResult } from '../report/schema.js';
import type { DemoContext, DemoStep } from './context.js';
import { measureMethod } from './measure.js';

async function prunePro(
  ctx: DemoContext,
  method: 'l1' | 'reap',
): Promise<{ graph: Graph; extra: Record<string, number | string> }> {
  const t0 = performance.now();
  const r = await prune(ctx.dense, {
    method,
    budgetMacs: ctx.cfg.proBudget,
    data: ctx.calib,
    calib: ctx.cfg.calibSamples,
  });
  const s = r.summary as StructuredSummary;
  const channels = Object.entries(s.channels)
    .map(([k, [a, b]]) => `${k} ${a}→${b}`)
    .join(', ');
  ctx.log(
    `  ${method} + PRO: ${channels} (${s.pro!.evaluations} evaluations, ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return { graph: r.graph, extra: { channels, proEvaluations: s.pro!.evaluations, logitError: s.pro!.logitError } };
}

function scaling(ctx: DemoContext): void {
  // Best of 3 wall-clock runs: robust to other jobs on the machine. (CPU time is not: ORT's idle pool threads
  // spin after the evaluations above and would be charged to the selection.)
  const time = (fn: () => void) =>
    Math.min(
      ...[0, 1, 2].map(() => {
        const t0 = performance.now();
        fn();
        return (performance.now() - t0) / 1000;
      }),
    );
  for (const n of ctx.cfg.scaling.fast) {
    const p = randomProblem(n, 64, n);
    ctx.scaling.push({ n, variant: 'REAP fast O(n³)', seconds: time(() => reapFast(p, n >> 1)) });
  }
  for (const n of ctx.cfg.scaling.naive) {
    const p = randomProblem(n, 64, n);
    ctx.scaling.push({
      n,
      variant: 'REAP naive O(n⁴)',
      seconds: time(() => reapNaive(p, n >> 1, { mode: 'per-step' })),
    });
  }
}

const budgetNote = (ctx: DemoContext) =>
  `PRO per-layer ratios to ${(100 * ctx.cfg.proBudget).toFixed(0)} % of the dense MACs, no retraining`;

export const l1Step: DemoStep = {
  name: 'L1 filter pruning + PRO',
  rows: [{ method: 'l1-pro', label: 'L1 + PRO' }],
  async run(ctx) {
    const { graph, extra } = await prunePro(ctx, 'l1');
    ctx.shared.l1Pruned = graph;
    return [
      await measureMethod(ctx, {
        method: 'l1-pro',
        label: 'L1 + PRO',
        graph,
        notes: `${budgetNote(ctx)}; smallest filter L1 norms removed`,
        extra,
      }),
    ];
  },
};

export const reapStep: DemoStep = {
  name: 'REAP + PRO',
  rows: [{ method: 'reap-pro', label: 'REAP + PRO' }],
  async run(ctx): Promise<MethodResult[]> {
    const { graph, extra } = await prunePro(ctx, 'reap');
    const row = await measureMethod(ctx, {
      method: 'reap-pro',
      label: 'REAP + PRO',
      graph,
      notes: `${budgetNote(ctx)}; removed channels folded into survivors (${ctx.cfg.calibSamples} calibration samples)`,
      extra,
    });
    scaling(ctx);
    return [row];
  },
};
