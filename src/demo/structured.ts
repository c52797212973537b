/**
 * Demo step: structured channel pruning to a MAC budget with PRO choosing the per-layer ratios, once with
 * L1 filter norms (selection only) and once with REAP (selection + folding the removed channels into the
 * survivors), no retraining. The L1 model is handed on to the LOP step. Also times REAP's O(n³) greedy
 * against the naive O(n⁴) one on random layer problems (the report's scaling plot).
 */
import type { Graph } from '../ir/graph.js';
import { gram, matmul, randn, type Mat } from '../linalg/index.js';
import { reapFast, reapNaive, type LayerProblem } from '../passes/reap/index.js';
import { runPro } from '../passes/reap/pro.js';
import { groupGrams } from '../passes/structured/behaviours.js';
import { pruneStructured, type PruneCriterion } from '../passes/structured/prune.js';
import type { MethodResult } from '../report/schema.js';
import { SeededRng } from '../util/random.js';
import type { DemoContext, DemoStep } from './context.js';
import { measureMethod } from './measure.js';

async function prunePro(ctx: DemoContext, method: PruneCriterion): Promise<{ graph: Graph; extra: Record<string, number | string> }> {
  const t0 = performance.now();
  const grams = method === 'reap' ? await groupGrams(ctx.dense, ctx.calib, { samples: ctx.cfg.calibSamples }) : undefined;
  const pro = await runPro(ctx.dense, ctx.calib, { method, budget: ctx.cfg.proBudget, grams });
  const res = pruneStructured(ctx.dense, { method, ratios: pro.ratios, grams });
  const channels = Object.entries(res.channels).map(([k, [a, b]]) => `${k} ${a}→${b}`).join(', ');
  ctx.log(`  ${method} + PRO: ${channels} (${pro.evaluations} evaluations, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { graph: res.graph, extra: { channels, proEvaluations: pro.evaluations, logitError: pro.logitError } };
}

/** Correlated non-negative behaviours (ReLU of a low-rank mix plus noise) with a constant column. */
function randomProblem(n: number, seed: number): LayerProblem {
  const rng = new SeededRng(seed);
  const samples = 4 * n;
  const mix = matmul(randn(samples, Math.max(2, n >> 1), rng), randn(Math.max(2, n >> 1), n, rng));
  const B: Mat = { rows: samples, cols: n + 1, data: new Float64Array(samples * (n + 1)) };
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < n; j++) B.data[s * (n + 1) + j] = Math.max(0, mix.data[s * n + j]! + 0.3 * rng.normal() + 0.2);
    B.data[s * (n + 1) + n] = 1;
  }
  return { gram: gram(B), withConst: true, weights: randn(n, 16, rng) };
}

function scaling(ctx: DemoContext): void {
  const time = (fn: () => void) => { const t0 = performance.now(); fn(); return (performance.now() - t0) / 1000; };
  for (const n of ctx.cfg.scaling.fast) {
    const p = randomProblem(n, n);
    ctx.scaling.push({ n, variant: 'REAP fast O(n³)', seconds: time(() => reapFast(p, n >> 1)) });
  }
  for (const n of ctx.cfg.scaling.naive) {
    const p = randomProblem(n, n);
    ctx.scaling.push({ n, variant: 'REAP naive O(n⁴)', seconds: time(() => reapNaive(p, n >> 1, { mode: 'per-step' })) });
  }
}

const budgetNote = (ctx: DemoContext) => `PRO per-layer ratios to ${(100 * ctx.cfg.proBudget).toFixed(0)} % of the dense MACs, no retraining`;

export const l1Step: DemoStep = {
  name: 'L1 filter pruning + PRO',
  rows: [{ method: 'l1-pro', label: 'L1 + PRO' }],
  async run(ctx) {
    const { graph, extra } = await prunePro(ctx, 'l1');
    ctx.shared.l1Pruned = graph;
    return [await measureMethod(ctx, { method: 'l1-pro', label: 'L1 + PRO', graph, notes: `${budgetNote(ctx)}; smallest filter L1 norms removed`, extra })];
  },
};

export const reapStep: DemoStep = {
  name: 'REAP + PRO',
  rows: [{ method: 'reap-pro', label: 'REAP + PRO' }],
  async run(ctx): Promise<MethodResult[]> {
    const { graph, extra } = await prunePro(ctx, 'reap');
    const row = await measureMethod(ctx, { method: 'reap-pro', label: 'REAP + PRO', graph, notes: `${budgetNote(ctx)}; removed channels folded into survivors (${ctx.cfg.calibSamples} calibration samples)`, extra });
    scaling(ctx);
    return [row];
  },
};
