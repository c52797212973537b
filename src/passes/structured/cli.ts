/**
 * `reprune prune --method l1|l2|random|reap|nu`: structured channel pruning (physically smaller model),
 * optionally after SRN, with a uniform --ratio or PRO-chosen per-group ratios under a MAC/param budget.
 * Registered in src/cli/commands/prune.ts's method table.
 */
import type { Command, Option } from 'commander';
import { loadDataset } from '../../data/sources.js';
import type { Graph } from '../../ir/graph.js';
import { modelMetrics } from '../../report/metrics.js';
import { ReproError } from '../../util/errors.js';
import { runPro } from '../reap/pro.js';
import { serializeResiduals } from '../srn/index.js';
import { groupGrams } from './behaviours.js';
import { isBehaviourMethod, type PruneCriterion, pruneStructured } from './prune.js';

export interface StructuredFlags {
  method: string;
  ratio?: string;
  pro?: boolean;
  budgetMacs?: string;
  budgetParams?: string;
  proStep?: string;
  data?: string;
  calib?: string;
  srn?: boolean;
  roundTo?: string;
  skip?: string;
  seed?: string;
}

/** Add an option unless another method already registered the same flag (shared flags like --skip). */
function addOnce(cmd: Command, flags: string, desc: string): Command {
  const long = flags.split(/[ ,]+/).find((f) => f.startsWith('--'));
  if (cmd.options.some((o: Option) => o.long === long)) return cmd;
  return cmd.option(flags, desc);
}

export function addStructuredFlags(cmd: Command): Command {
  const opts: Array<[string, string]> = [
    ['--ratio <r>', '[l1|l2|random|reap|nu] fraction of channels removed in every prunable group'],
    ['--pro', '[l1|l2|random|reap|nu] choose per-layer ratios with PRO (needs --budget-macs or --budget-params)'],
    ['--budget-macs <f>', '[pro] keep at most this fraction of the original MACs, e.g. 0.5'],
    ['--budget-params <f>', '[pro] keep at most this fraction of the original parameters'],
    ['--pro-step <f>', '[pro] step per proposal, fraction of a layer (default 0.05)'],
    ['--data <spec>', '[reap|nu|pro] calibration data: mnist, fashion-mnist or a folder'],
    ['--calib <n>', '[reap|nu|pro] calibration samples (default 2000)'],
    ['--srn', '[l1|l2|random|reap|nu] serialize residual blocks first (fold BN, remove Adds) so every layer is prunable'],
    ['--round-to <k>', '[l1|l2|random|reap|nu] keep channel counts multiples of k'],
    ['--skip <nodes>', 'comma-separated producer node names to leave unpruned'],
    ['--seed <s>', '[random] seed'],
  ];
  for (const [f, d] of opts) cmd = addOnce(cmd, f, d);
  return cmd;
}

function num(flag: string, v: string | undefined, lo: number, hi: number, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n > hi || (integer && !Number.isInteger(n))) {
    throw new ReproError(`${flag} ${v}: expected ${integer ? 'an integer' : 'a number'} in [${lo}, ${hi}]`);
  }
  return n;
}

export async function runStructured(g: Graph, f: StructuredFlags, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<{ graph: Graph; summary: Record<string, unknown> }> {
  const method = f.method as PruneCriterion;
  const ratio = num('--ratio', f.ratio, 0, 0.99);
  const budgetMacs = num('--budget-macs', f.budgetMacs, 1e-6, 1);
  const budgetParams = num('--budget-params', f.budgetParams, 1e-6, 1);
  const roundTo = num('--round-to', f.roundTo, 1, 1 << 20, true);
  const calib = num('--calib', f.calib, 1, 1e7, true) ?? 2000;
  const seed = num('--seed', f.seed, 0, 2 ** 32, true) ?? 0;
  const skip = f.skip ? f.skip.split(',').map((s) => s.trim()).filter(Boolean) : [];
  if (f.pro && budgetMacs === undefined && budgetParams === undefined) throw new ReproError('--pro needs --budget-macs F or --budget-params F (fraction of the original cost to keep)');
  if (!f.pro && ratio === undefined) throw new ReproError(`--method ${method}: give --ratio R (fraction of channels to remove) or --pro --budget-macs F`);
  const before = modelMetrics(g).totals;
  let work = g;
  let srn: Record<string, unknown> | undefined;
  if (f.srn) {
    const s = serializeResiduals(g);
    work = s.graph;
    srn = { serialized: s.serialized.length, keptAdds: s.kept, foldedBn: s.foldedBn.length };
    log(`SRN: serialized ${s.serialized.length} residual blocks, folded ${s.foldedBn.length} BN`);
  }
  const needData = isBehaviourMethod(method) || f.pro;
  if (needData && !f.data) throw new ReproError(`--method ${method}${f.pro ? ' --pro' : ''}: calibration needs --data mnist|fashion-mnist|DIR`);
  const ds = needData ? loadDataset(f.data!, 'train') : undefined;
  const grams = isBehaviourMethod(method) ? await groupGrams(work, ds!, { samples: calib, skip, seed }) : undefined;
  let ratios: Record<string, number> | undefined;
  if (f.pro) {
    const kind = budgetMacs !== undefined ? 'macs' : 'params';
    const pro = await runPro(work, ds!, {
      method, budget: (budgetMacs ?? budgetParams)!, budgetKind: kind, grams, roundTo, skip, seed, log,
      step: num('--pro-step', f.proStep, 1e-3, 0.5), referenceCost: kind === 'macs' ? before.macs : before.params,
    });
    ratios = pro.ratios;
    log(`PRO ratios (${pro.evaluations} evaluations): ${Object.entries(ratios).map(([k, r]) => `${k}=${r.toFixed(3)}`).join(' ')}`);
  }
  const pr = pruneStructured(work, { method, ratio, ratios, roundTo, skip, seed, grams });
  const after = modelMetrics(pr.graph).totals;
  return {
    graph: pr.graph,
    summary: {
      method, pro: !!f.pro, ...(srn ? { srn } : {}),
      macsBefore: before.macs, macsAfter: after.macs, paramsBefore: before.params, paramsAfter: after.params,
      ratios: pr.ratios, channels: pr.channels, skipped: pr.skipped,
      message: `MACs ${before.macs} → ${after.macs} (${(100 * (1 - after.macs / before.macs)).toFixed(1)}% fewer), params ${before.params} → ${after.params}`,
    },
  };
}
