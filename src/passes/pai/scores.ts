/**
 * Pruning-at-initialization scores over any set of float parameters (dense weights or TT cores).
 * Higher score = keep. Every score is computed for the caller's current weights θ; the model is not modified.
 *
 * - random:    U[0, 1) (seeded).
 * - magnitude: |θ|.
 * - snip:      |g ⊙ θ|, g = mean gradient of the cross-entropy over the probe batches (Lee et al. 2019).
 * - grasp:     θ ⊙ Hg (Wang et al. 2020). GraSP's own score is S = −θ ⊙ Hg and it removes the *largest* S, so
 *              keeping the largest θ ⊙ Hg is the same rule. Hg is a finite difference of gradients along g,
 *              central by default: Hg ≈ (∇L(θ + εg) − ∇L(θ − εg)) / 2ε, with ε = step·‖θ‖/‖g‖ (step = 1e-2:
 *              a 1 % move of the weights; 'forward' uses (∇L(θ + εg) − g)/ε, one fewer pass). No softmax
 *              temperature (GraSP uses T = 200 on CIFAR; ours is T = 1, an option we did not need on MNIST).
 * - synflow:   see synflow.ts (iterative, data-free).
 * - trainability: see trainability.ts (ours, for TEDEPR).
 */
import type { Graph } from '../../ir/graph.js';
import { SeededRng } from '../../util/random.js';
import { GradientProbe, type ProbeBatches } from './probe.js';
import type { Masks, Scores } from './masks.js';

export interface GradScoreContext {
  model: Graph;
  params: string[];
  data: ProbeBatches;
  /** Current masks: the probe runs the network θ ⊙ m (for iterative scores). */
  masks?: Masks;
}

export function randomScores(model: Graph, params: string[], seed = 0): Scores {
  const rng = new SeededRng(seed);
  return Object.fromEntries(
    params.map((p) => [p, Float64Array.from({ length: model.initializers.get(p)!.data.length }, () => rng.next())]),
  );
}

export function magnitudeScores(model: Graph, params: string[]): Scores {
  return Object.fromEntries(
    params.map((p) => [p, Float64Array.from(model.initializers.get(p)!.data as Float32Array, Math.abs)]),
  );
}

async function createProbe(ctx: GradScoreContext): Promise<GradientProbe> {
  const probe = await GradientProbe.create(ctx.model, ctx.params, {
    batch: ctx.data.list[0]!.n,
    sampleDims: ctx.data.sampleDims,
  });
  if (ctx.masks) {
    for (const [p, m] of Object.entries(ctx.masks)) {
      const w = probe.weights(p);
      for (let i = 0; i < w.length; i++) if (!m[i]) w[i] = 0;
    }
  }
  return probe;
}

/** |g ⊙ θ| with g taken at θ ⊙ m (θ itself, unmasked, multiplies). */
export async function snipScores(ctx: GradScoreContext, probe?: GradientProbe): Promise<Scores> {
  const pr = probe ?? (await createProbe(ctx));
  const { grads } = await pr.meanGrads(ctx.data.list);
  const out: Scores = {};
  for (const p of ctx.params) {
    const w = ctx.model.initializers.get(p)!.data as Float32Array;
    const g = grads[p]!;
    out[p] = Float64Array.from(g, (gi, i) => Math.abs(gi * w[i]!));
  }
  return out;
}

export interface GraspOptions {
  /** Relative step: ε = step · ‖θ‖ / ‖g‖ (default 1e-2). */
  step?: number;
  difference?: 'central' | 'forward';
}

/** Hessian-gradient product by finite differences of gradients; also returns g. */
export async function hessianGradient(
  ctx: GradScoreContext,
  opts: GraspOptions = {},
): Promise<{ g: Record<string, Float64Array>; hg: Record<string, Float64Array>; eps: number }> {
  const probe = await createProbe(ctx);
  const base = Object.fromEntries(ctx.params.map((p) => [p, probe.weights(p).slice()]));
  const { grads: g } = await probe.meanGrads(ctx.data.list);
  let tn = 0,
    gn = 0;
  for (const p of ctx.params) {
    for (const v of base[p]!) tn += v * v;
    for (const v of g[p]!) gn += v * v;
  }
  const eps = ((opts.step ?? 1e-2) * Math.sqrt(tn)) / Math.max(Math.sqrt(gn), 1e-30);
  const at = async (sign: number) => {
    for (const p of ctx.params) {
      const w = probe.weights(p),
        b = base[p]!,
        gp = g[p]!;
      for (let i = 0; i < w.length; i++) w[i] = b[i]! + sign * eps * gp[i]!;
    }
    return (await probe.meanGrads(ctx.data.list)).grads;
  };
  const central = (opts.difference ?? 'central') === 'central';
  const plus = await at(1);
  const minus = central ? await at(-1) : g;
  const hg: Record<string, Float64Array> = {};
  for (const p of ctx.params) {
    const a = plus[p]!,
      b = minus[p]!;
    hg[p] = Float64Array.from(a, (v, i) => (v - b[i]!) / (central ? 2 * eps : eps));
  }
  return { g, hg, eps };
}

export async function graspScores(ctx: GradScoreContext, opts: GraspOptions = {}): Promise<Scores> {
  const { hg } = await hessianGradient(ctx, opts);
  const out: Scores = {};
  for (const p of ctx.params) {
    const w = ctx.model.initializers.get(p)!.data as Float32Array;
    out[p] = Float64Array.from(hg[p]!, (h, i) => w[i]! * h);
  }
  return out;
}
