import { BufferStore, type Optimizer, type OptimizerState, type Param } from './types.js';
import { ReproError } from '../../util/errors.js';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** true = AdamW (decoupled decay w ← w·(1 − lr·wd)); false = Adam with L2 added to the gradient. */
  decoupled?: boolean;
}

/**
 * Adam / AdamW with torch.optim semantics:
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  w −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε).
 */
export class Adam implements Optimizer {
  readonly kind: 'adam' | 'adamw';
  private t = 0;
  private readonly store = new BufferStore();
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(opts: AdamOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? (opts.decoupled ? 0.01 : 0);
    this.kind = opts.decoupled ? 'adamw' : 'adam';
  }

  step(params: readonly Param[], lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this;
    const bc1 = 1 - b1 ** this.t;
    const bc2sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = lr / bc1;
    const l2 = this.kind === 'adam' ? this.weightDecay : 0;
    const decay = this.kind === 'adamw' ? 1 - lr * this.weightDecay : 1;
    for (const p of params) {
      const w = p.data;
      const g = p.grad;
      const mk = p.mask;
      const m = this.store.get(p, 'exp_avg');
      const v = this.store.get(p, 'exp_avg_sq');
      for (let i = 0; i < w.length; i++) {
        if (mk !== undefined && mk[i] === 0) {
          w[i] = 0;
          m[i] = 0;
          v[i] = 0;
          continue;
        }
        const wi = w[i] * decay;
        const gi = g[i] + l2 * w[i];
        const mi = b1 * m[i] + (1 - b1) * gi;
        const vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = wi - (stepSize * mi) / (Math.sqrt(vi) / bc2sqrt + eps);
      }
    }
  }

  state(): OptimizerState {
    return { kind: this.kind, t: this.t, buffers: this.store.snapshot() };
  }

  load(s: OptimizerState): void {
    if (s.kind !== this.kind)
      throw new ReproError(
        `checkpoint optimizer is '${s.kind}', but this run uses '${this.kind}'; pass --optimizer ${s.kind}`,
      );
    this.t = s.t;
    this.store.restore(s.buffers);
  }
}
