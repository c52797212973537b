/**
 * The LOP experiment (issue 6): dense zoo model → L1 channel pruning at each ratio → each of the four
 * fine-tuning modes with the same schedule and seeds → test accuracy of the saved (merged) model and wall time.
 */
import { loadDataset } from '../../data/sources.js';
import type { Graph } from '../../ir/graph.js';
import { BENCH_DATA, trainedModel } from '../../models/trained.js';
import { evaluate } from '../../runtime/evaluate.js';
import { FINETUNE_RECIPE, trainOptionsFrom } from '../../train/cli-options.js';
import { ReproError } from '../../util/errors.js';
import { pruneStructured } from '../structured/prune.js';
import { FINETUNE_MODES, lopFinetune, type FinetuneMode } from './finetune.js';

export interface LopBenchOptions {
  archs: string[];
  ratios: number[];
  /** Fine-tuning epochs (same for every mode). */
  epochs: number;
  /** Seeds at the largest ratio. */
  seeds: number;
  /** Seeds at the other ratios. */
  otherSeeds: number;
  modes: FinetuneMode[];
  /** Training samples for fine-tuning (default: all). */
  limit?: number;
  evalLimit?: number;
  denseEpochs: number;
  denseLimit?: number;
  expand: number;
  spGamma: number;
  lr?: number;
  batch?: number;
  log: (line: string) => void;
  /** Called after every run with everything measured so far (for incremental files). */
  onProgress?: (r: LopBenchData) => void;
}

export interface LopRun {
  arch: string; ratio: number; mode: FinetuneMode; seed: number;
  accuracy: number; seconds: number; samplesPerSecond: number; trainLoss: number;
  /** Training loss became NaN/Inf (accuracy and speed are NaN). */
  diverged?: boolean;
}

export interface LopBenchData {
  dense: Record<string, { data: string; accuracy: number; params: number; file: string }>;
  /** Keyed `${arch}@${ratio}`: the pruned model before fine-tuning. */
  pruned: Record<string, { accuracy: number; params: number; channels: Record<string, [number, number]> }>;
  runs: LopRun[];
}

/** Trainable weight count (BatchNorm running statistics excluded). */
export function paramCount(g: Graph): number {
  let n = 0;
  for (const [name, t] of g.initializers) if (t.dtype === 'float32' && !/running_(mean|var)$/.test(name)) n += t.data.length;
  return n;
}

export async function runLopBench(o: LopBenchOptions): Promise<LopBenchData> {
  const out: LopBenchData = { dense: {}, pruned: {}, runs: [] };
  const maxRatio = Math.max(...o.ratios);
  for (const arch of o.archs) {
    const data = BENCH_DATA[arch] ?? 'mnist';
    const dense = await trainedModel(arch, { epochs: o.denseEpochs, limit: o.denseLimit, log: o.log });
    const train = loadDataset(data, 'train', { limit: o.limit });
    const test = loadDataset(data, 'test');
    const acc = async (g: Graph) => (await evaluate(g, test, { limit: o.evalLimit })).accuracy;
    out.dense[arch] = { data, accuracy: await acc(dense.graph), params: paramCount(dense.graph), file: dense.file };
    o.log(`${arch} on ${data}: dense ${(100 * out.dense[arch]!.accuracy).toFixed(2)} %`);
    for (const ratio of o.ratios) {
      const p = pruneStructured(dense.graph, { method: 'l1', ratio });
      const key = `${arch}@${ratio}`;
      out.pruned[key] = { accuracy: await acc(p.graph), params: paramCount(p.graph), channels: p.channels };
      o.log(`${key}: pruned ${(100 * out.pruned[key]!.accuracy).toFixed(2)} %, ${out.pruned[key]!.params} params`);
      const seeds = ratio === maxRatio ? o.seeds : o.otherSeeds;
      for (let seed = 0; seed < seeds; seed++) {
        for (const mode of o.modes) {
          const opts = trainOptionsFrom({ data, epochs: o.epochs, output: '', seed, lr: o.lr, batch: o.batch }, FINETUNE_RECIPE);
          const t0 = performance.now();
          let run: LopRun;
          try {
            const res = await lopFinetune(p.graph, train, {
              ...opts, progress: false, lop: mode.startsWith('lop'), expand: o.expand,
              teacher: mode.endsWith('spkd') ? dense.graph : undefined, spGamma: o.spGamma,
            });
            const seconds = (performance.now() - t0) / 1000;
            const h = res.history;
            run = {
              arch, ratio, mode, seed, accuracy: await acc(res.graph), seconds,
              samplesPerSecond: h.reduce((a, e) => a + e.samplesPerSecond, 0) / h.length, trainLoss: h[h.length - 1]!.loss,
            };
          } catch (e) {
            // A diverged run is a result (reported as such), not a reason to lose the rest of the bench.
            if (!(e instanceof ReproError && /diverged/.test(e.message))) throw e;
            run = { arch, ratio, mode, seed, accuracy: NaN, seconds: (performance.now() - t0) / 1000, samplesPerSecond: NaN, trainLoss: NaN, diverged: true };
          }
          out.runs.push(run);
          o.log(`${key} ${mode} seed ${seed}: ${run.diverged ? 'diverged' : `${(100 * run.accuracy).toFixed(2)} %`} in ${run.seconds.toFixed(1)} s`);
          o.onProgress?.(out);
        }
      }
    }
  }
  return out;
}

export { FINETUNE_MODES };
