/**
 * Accuracy part of `reprune bench reap`: trained zoo models pruned to MAC reductions of 30/50/70 % with
 * L1, NU, REAP and REAP+PRO (and, on residual nets, REAP / REAP+PRO after SRN), no retraining unless
 * `finetuneEpochs` > 0; also the ORT latency of each pruned model vs the dense one.
 */
import { take } from '../../data/dataset.js';
import { loadDataset } from '../../data/sources.js';
import type { Graph } from '../../ir/graph.js';
import { BENCH_DATA, trainedModel } from '../../models/trained.js';
import { measureLatency } from '../../report/latency.js';
import { modelMetrics } from '../../report/metrics.js';
import { evaluate } from '../../runtime/evaluate.js';
import { FINETUNE_RECIPE, trainOptionsFrom } from '../../train/cli-options.js';
import { trainModel } from '../../train/trainer.js';
import { groupGrams } from '../structured/behaviours.js';
import { costModel, ratioForMacs } from '../structured/cost.js';
import { groupStatuses } from '../structured/groups.js';
import { type PruneCriterion, isBehaviourMethod, pruneStructured } from '../structured/prune.js';
import { serializeResiduals } from '../srn/index.js';
import { runPro } from './pro.js';

export interface AccuracyOptions {
  archs: string[];
  reductions: number[];
  calib: number;
  evalLimit?: number;
  trainEpochs: number;
  /** Train on the first N samples only when a model must be trained (part of the cache key). */
  trainLimit?: number;
  proStep: number;
  finetuneEpochs: number;
  finetuneLimit?: number;
  latency: boolean;
  cacheDir?: string;
  log: (s: string) => void;
}

export interface AccuracyRow {
  arch: string;
  data: string;
  method: string;
  target: number;
  macReduction: number;
  accuracy: number;
  finetuned?: number;
  speedup?: number;
  seconds: number;
}

interface Variant { label: string; method: PruneCriterion; pro: boolean; srn: boolean }

const VARIANTS: Variant[] = [
  { label: 'L1', method: 'l1', pro: false, srn: false },
  { label: 'NU', method: 'nu', pro: false, srn: false },
  { label: 'REAP', method: 'reap', pro: false, srn: false },
  { label: 'REAP+PRO', method: 'reap', pro: true, srn: false },
  { label: 'SRN+REAP', method: 'reap', pro: false, srn: true },
  { label: 'SRN+REAP+PRO', method: 'reap', pro: true, srn: true },
];

export async function runAccuracy(o: AccuracyOptions): Promise<{ rows: AccuracyRow[]; dense: Record<string, number> }> {
  const rows: AccuracyRow[] = [];
  const dense: Record<string, number> = {};
  for (const arch of o.archs) {
    const data = BENCH_DATA[arch] ?? 'mnist';
    const { graph: g, file } = await trainedModel(arch, { epochs: o.trainEpochs, limit: o.trainLimit, cacheDir: o.cacheDir, log: o.log });
    const train = loadDataset(data, 'train');
    const test = o.evalLimit ? take(loadDataset(data, 'test'), o.evalLimit) : loadDataset(data, 'test');
    dense[arch] = (await evaluate(g, test)).accuracy;
    const denseMacs = modelMetrics(g).totals.macs;
    const denseMs = o.latency ? await measureLatency(g, { batch: 32, iters: 20 }) : 0;
    o.log(`${arch} (${file}): dense accuracy ${(100 * dense[arch]!).toFixed(2)} %, ${denseMacs} MACs`);
    const srnRes = serializeResiduals(g);
    const residual = srnRes.serialized.length > 0;
    const bases = { plain: g, srn: srnRes.graph };
    const grams = {
      plain: await groupGrams(g, train, { samples: o.calib }),
      srn: residual ? await groupGrams(srnRes.graph, train, { samples: o.calib }) : undefined,
    };
    for (const v of VARIANTS) {
      if (v.srn && !residual) continue;
      const base = v.srn ? bases.srn : bases.plain;
      const gr = v.srn ? grams.srn : grams.plain;
      for (const target of o.reductions) {
        const t0 = performance.now();
        let ratios: Record<string, number> | undefined;
        let ratio: number | undefined;
        if (v.pro) {
          ratios = (await runPro(base, train, { method: v.method, budget: 1 - target, grams: gr, step: o.proStep, referenceCost: denseMacs })).ratios;
        } else {
          const st = groupStatuses(base, { behaviour: isBehaviourMethod(v.method) });
          const cm = costModel(base, st);
          ratio = ratioForMacs(cm, st.filter((s) => !s.reason), ((1 - target) * denseMacs) / cm.totalMacs);
        }
        const pruned = pruneStructured(base, { method: v.method, ratio, ratios, grams: gr }).graph;
        const macs = modelMetrics(pruned).totals.macs;
        const accuracy = (await evaluate(pruned, test)).accuracy;
        const row: AccuracyRow = { arch, data, method: v.label, target, macReduction: 1 - macs / denseMacs, accuracy, seconds: (performance.now() - t0) / 1000 };
        if (o.latency) row.speedup = denseMs / (await measureLatency(pruned, { batch: 32, iters: 20 }));
        if (o.finetuneEpochs > 0) row.finetuned = await finetune(pruned, data, o);
        o.log(`${arch} ${v.label} @${Math.round(100 * target)}%: MACs −${(100 * row.macReduction).toFixed(1)} %, acc ${(100 * accuracy).toFixed(2)} %${row.finetuned !== undefined ? ` (fine-tuned ${(100 * row.finetuned).toFixed(2)} %)` : ''}${row.speedup ? `, ORT speedup ${row.speedup.toFixed(2)}×` : ''} [${row.seconds.toFixed(1)} s]`);
        rows.push(row);
      }
    }
  }
  return { rows, dense };
}

async function finetune(g: Graph, data: string, o: AccuracyOptions): Promise<number> {
  const train = loadDataset(data, 'train', { limit: o.finetuneLimit });
  const test = o.evalLimit ? take(loadDataset(data, 'test'), o.evalLimit) : loadDataset(data, 'test');
  const opts = trainOptionsFrom({ data, epochs: o.finetuneEpochs, seed: 0 } as never, FINETUNE_RECIPE);
  const res = await trainModel(g, train, { ...opts, progress: false });
  return (await evaluate(res.graph, test)).accuracy;
}
