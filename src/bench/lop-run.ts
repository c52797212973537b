/**
 * The LOP experiment (issue 6): dense zoo model → L1 channel pruning at each ratio → each of the four
 * fine-tuning modes with the same schedule and seeds → test accuracy of the saved (merged) model and wall time.
 */
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { benchDataOf, trainedModel } from '../models/trained.js';
import { evaluate } from '../runtime/evaluate.js';
import { ReproError } from '../util/errors.js';
import { runPass } from '../api/passes.js';
import { prune } from '../api/prune.js';
import type { FinetuneReport } from '../passes/finetune/pass.js';
import { FINETUNE_MODES, type FinetuneMode } from '../passes/lop/finetune.js';

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
  /** SP-KD γ (default DEFAULT_SP_GAMMA); ignored with `spShare`, which sets γ per run by the share rule. */
  spGamma?: number;
  spShare?: number;
  lr?: number;
  batch?: number;
  log: (line: string) => void;
  /** Called after every run with everything measured so far (for incremental files). */
  onProgress?: (r: LopBenchData) => void;
}

export interface LopRun {
  arch: string;
  ratio: number;
  mode: FinetuneMode;
  seed: number;
  accuracy: number;
  seconds: number;
  samplesPerSecond: number;
  trainLoss: number;
  /** SP-KD's γ in this run (spkd modes). */
  spGamma?: number;
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
  for (const [name, t] of g.initializers)
    if (t.dtype === 'float32' && !/running_(mean|var)$/.test(name)) n += t.data.length;
  return n;
}

export async function runLopBench(o: LopBenchOptions): Promise<LopBenchData> {
  const out: LopBenchData = { dense: {}, pruned: {}, runs: [] };
  const maxRatio = Math.max(...o.ratios);
  for (const arch of o.archs) {
    const a = await denseBaseline(o, out, arch);
    for (const ratio of o.ratios) await benchRatio(o, out, a, ratio, ratio === maxRatio ? o.seeds : o.otherSeeds);
  }
  return out;
}

/** One architecture's dense model and data, shared by every ratio, seed and mode. */
interface ArchSetup {
  arch: string;
  dense: { graph: Graph };
  train: ReturnType<typeof loadDataset>;
  acc: (g: Graph) => Promise<number>;
}

/** Trains (or reuses) the dense model of `arch`, records its accuracy and size, and loads the data. */
async function denseBaseline(o: LopBenchOptions, out: LopBenchData, arch: string): Promise<ArchSetup> {
  const data = benchDataOf(arch);
  const dense = await trainedModel(arch, { epochs: o.denseEpochs, limit: o.denseLimit, log: o.log });
  const train = loadDataset(data, 'train', { limit: o.limit });
  const test = loadDataset(data, 'test');
  const acc = async (g: Graph) => (await evaluate(g, test, { limit: o.evalLimit })).accuracy;
  out.dense[arch] = { data, accuracy: await acc(dense.graph), params: paramCount(dense.graph), file: dense.file };
  o.log(`${arch} on ${data}: dense ${(100 * out.dense[arch]!.accuracy).toFixed(2)} %`);
  return { arch, dense, train, acc };
}

/** Prunes the dense model at `ratio` once, then fine-tunes the result in every mode for `seeds` seeds. */
async function benchRatio(
  o: LopBenchOptions,
  out: LopBenchData,
  a: ArchSetup,
  ratio: number,
  seeds: number,
): Promise<void> {
  const r = await prune(a.dense.graph, { method: 'l1', ratio });
  const p = { graph: r.graph, channels: r.summary.channels };
  const key = `${a.arch}@${ratio}`;
  out.pruned[key] = { accuracy: await a.acc(p.graph), params: paramCount(p.graph), channels: p.channels };
  o.log(`${key}: pruned ${(100 * out.pruned[key]!.accuracy).toFixed(2)} %, ${out.pruned[key]!.params} params`);
  for (let seed = 0; seed < seeds; seed++) {
    for (const mode of o.modes) {
      const run = await finetuneRun(o, a, p.graph, { arch: a.arch, ratio, mode, seed });
      out.runs.push(run);
      o.log(
        `${key} ${mode} seed ${seed}: ${run.diverged ? 'diverged' : `${(100 * run.accuracy).toFixed(2)} %`} in ${run.seconds.toFixed(1)} s`,
      );
      o.onProgress?.(out);
    }
  }
}

/** One fine-tuning run of the pruned model: its test accuracy, wall time and mean throughput, or a diverged run. */
async function finetuneRun(
  o: LopBenchOptions,
  a: ArchSetup,
  pruned: Graph,
  id: Pick<LopRun, 'arch' | 'ratio' | 'mode' | 'seed'>,
): Promise<LopRun> {
  const { mode, seed } = id;
  const t0 = performance.now();
  try {
    // The registry's finetune pass (as `reprune finetune` runs it); mask off: every mode trains every weight.
    const res = await runPass(
      'finetune',
      pruned,
      {
        epochs: o.epochs,
        seed,
        lr: o.lr,
        batch: o.batch,
        lop: mode.startsWith('lop'),
        expand: o.expand,
        spGamma: o.spGamma,
        spShare: o.spShare,
        mask: false,
      },
      { data: a.train, teacher: mode.endsWith('spkd') ? a.dense.graph : undefined },
    );
    const seconds = (performance.now() - t0) / 1000;
    const rep = res.report as FinetuneReport;
    const h = rep.history;
    return {
      ...id,
      ...(rep.sp ? { spGamma: rep.sp.gamma } : {}),
      accuracy: await a.acc(res.graph),
      seconds,
      samplesPerSecond: h.reduce((acc, e) => acc + e.samplesPerSecond, 0) / h.length,
      trainLoss: h[h.length - 1]!.loss,
    };
  } catch (e) {
    // A diverged run is a result (reported as such), not a reason to lose the rest of the bench.
    if (!(e instanceof ReproError && /diverged/.test(e.message))) throw e;
    const seconds = (performance.now() - t0) / 1000;
    return { ...id, accuracy: NaN, seconds, samplesPerSecond: NaN, trainLoss: NaN, diverged: true };
  }
}

export { FINETUNE_MODES };
