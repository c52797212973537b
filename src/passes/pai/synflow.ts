/**
 * SynFlow (Tanaka et al. 2020): data-free, iterative. Every parameter and BatchNorm statistic is replaced by its
 * absolute value, the input is all ones (value `inputValue`), R = Σ of the network's outputs, and the score is
 * |θ ⊙ ∂R/∂θ| on the masked network |θ| ⊙ m. Pruning runs over `rounds` (default 100) with the exponential
 * schedule density^(t/T), re-scoring after each round; this is what avoids layer collapse.
 * BatchNorm runs in inference mode (running statistics, as the reference implementation's model.eval()),
 * so with fresh statistics (mean 0, var 1) it is the affine map |γ|·x + |β|.
 * Scores are computed in float32 by ORT. A deep net without normalisation (BN folded or re-initialised to the
 * identity, a TT layer whose |cores| rebuild a |W| several times larger than |W|) can make R overflow float32:
 * then every scored tensor is shrunk by the largest factor α of SHRINK that keeps R and its gradient finite (the
 * score of the |θ| network with α·|θ|; for a chain of layers the ranking is exactly unchanged, for paths of
 * different lengths those through fewer scored tensors gain weight by α^Δ). Past the last α it is an error.
 */
import type { Graph } from '../../ir/graph.js';
import { trainableParams } from '../../train/params.js';
import { iterativePrune } from './iterative.js';
import type { Masks, Scores } from './masks.js';
import type { Batch } from '../../data/loader.js';
import { GradientProbe, ProbeOverflowError, sumOfOutputsLoss } from './probe.js';
import { ReproError } from '../../util/errors.js';

export interface SynflowOptions {
  rounds?: number;
  scope?: 'global' | 'layer';
  /** Value of every input entry (default 1). Scores scale by it exactly for bias-free nets: the mask does not change. */
  inputValue?: number;
  /** A full input sample (per-sample values) instead of the constant `inputValue` (used by 'trainability'). */
  input?: Float32Array;
}

/** The input shape per sample, with the batch fixed to 1. */
function sampleDimsOf(model: Graph): number[] {
  const dims = model.inputs[0]!.shape ?? [];
  return dims.slice(1).map((d) => (typeof d === 'number' ? d : 1));
}

/** One SynFlow evaluation on the masked |θ| network. */
export async function synflowScores(
  model: Graph,
  params: string[],
  masks?: Masks,
  opts: SynflowOptions = {},
  reuse?: GradientProbe,
): Promise<{ scores: Scores; probe: GradientProbe }> {
  const sampleDims = sampleDimsOf(model);
  const probe =
    reuse ??
    (await GradientProbe.create(linearized(model, params), params, {
      batch: 1,
      sampleDims,
      loss: sumOfOutputsLoss,
      frozenBatchNorm: true,
    }));
  const n = sampleDims.reduce((a, b) => a * b, 1);
  const x = opts.input ?? new Float32Array(n).fill(opts.inputValue ?? 1);
  if (x.length !== n) throw new Error(`synflow: input has ${x.length} values, the model takes ${n}`);
  const batch = { x, y: new Int32Array(1), n: 1, dims: [1, ...sampleDims], indices: new Int32Array(1) };
  let grads: Record<string, Float64Array> | undefined;
  for (const alpha of SHRINK) {
    setLinearWeights(probe, model, params, masks, alpha);
    grads = await finiteGrads(probe, batch);
    if (grads) break;
  }
  if (!grads)
    throw new ReproError(
      `pruning-at-init: the |θ| network's output overflows float32 even with every weight shrunk ${1 / SHRINK.at(-1)!}×; use --score snip or magnitude`,
    );
  const scores: Scores = {};
  for (const p of params) {
    const w = probe.weights(p);
    scores[p] = Float64Array.from(grads[p]!, (gi, i) => Math.abs(gi * w[i]!));
  }
  return { scores, probe };
}

/** Shrink factors tried in turn when R overflows float32 (1: the plain SynFlow network). */
const SHRINK = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2];

/** The probe's weights ← α·|θ| ⊙ m. */
function setLinearWeights(
  probe: GradientProbe,
  model: Graph,
  params: string[],
  masks: Masks | undefined,
  alpha: number,
) {
  for (const p of params) {
    const w = probe.weights(p);
    const src = model.initializers.get(p)!.data as Float32Array;
    const m = masks?.[p];
    for (let i = 0; i < w.length; i++) w[i] = m && !m[i] ? 0 : alpha * Math.abs(src[i]!);
  }
}

/** ∂R/∂θ, or undefined when R or a gradient is not finite in float32. */
async function finiteGrads(probe: GradientProbe, batch: Batch): Promise<Record<string, Float64Array> | undefined> {
  let grads: Record<string, Float64Array>;
  try {
    grads = (await probe.meanGrads([batch])).grads;
  } catch (e) {
    if (e instanceof ProbeOverflowError) return undefined;
    throw e;
  }
  for (const g of Object.values(grads)) if (!g.every(Number.isFinite)) return undefined;
  return grads;
}

/** A copy with |·| applied to every float initializer (weights, biases, BN γ/β/mean/var). */
function linearized(model: Graph, params: string[]): Graph {
  const g = model.clone();
  const names = new Set([...params, ...trainableParams(g)]);
  for (const n of g.nodes) if (n.opType === 'BatchNormalization') for (const i of n.inputs.slice(1)) names.add(i);
  for (const name of names) {
    const t = g.initializers.get(name);
    if (t?.dtype !== 'float32') continue;
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.abs(d[i]!);
  }
  return g;
}

/** Iterative SynFlow masks keeping exactly `keep` entries. */
export async function synflowPrune(
  model: Graph,
  params: string[],
  keep: number,
  opts: SynflowOptions = {},
): Promise<{ masks: Masks; scores: Scores }> {
  const sizes = Object.fromEntries(params.map((p) => [p, model.initializers.get(p)!.data.length]));
  let probe: GradientProbe | undefined;
  return iterativePrune(sizes, { rounds: opts.rounds ?? 100, keep, scope: opts.scope }, async (masks) => {
    const r = await synflowScores(model, params, masks, opts, probe);
    probe = r.probe;
    return r.scores;
  });
}
