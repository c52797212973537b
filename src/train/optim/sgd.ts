import { BufferStore, type Optimizer, type OptimizerState, type Param } from './types.js';
import { ReproError } from '../../util/errors.js';

export interface SgdOptions {
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

/**
 * SGD with the same update rule as torch.optim.SGD:
 *   d = g + wd·w;  b = μ·b + (1−τ)·d  (b = d on the first step);  d = nesterov ? d + μ·b : b;  w −= lr·d.
 */
export class Sgd implements Optimizer {
  readonly kind = 'sgd';
  private t = 0;
  private readonly store = new BufferStore();
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(opts: SgdOptions = {}) {
    this.momentum = opts.momentum ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = opts.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new ReproError('--nesterov needs --momentum > 0 and no dampening');
    }
  }

  step(params: readonly Param[], lr: number): void {
    const mu = this.momentum;
    const wd = this.weightDecay;
    const damp = 1 - this.dampening;
    for (const p of params) {
      const w = p.data;
      const g = p.grad;
      const m = p.mask;
      if (mu === 0) {
        for (let i = 0; i < w.length; i++) {
          if (m !== undefined && m[i] === 0) { w[i] = 0; continue; }
          w[i] -= lr * (g[i] + wd * w[i]);
        }
        continue;
      }
      const first = !this.store.has(p, 'momentum');
      const b = this.store.get(p, 'momentum');
      const nest = this.nesterov;
      for (let i = 0; i < w.length; i++) {
        if (m !== undefined && m[i] === 0) { w[i] = 0; b[i] = 0; continue; }
        const d = g[i] + wd * w[i];
        const bi = first ? d : mu * b[i] + damp * d;
        b[i] = bi;
        w[i] -= lr * (nest ? d + mu * bi : bi);
      }
    }
    this.t++;
  }

  state(): OptimizerState {
    return { kind: this.kind, t: this.t, buffers: this.store.snapshot() };
  }

  load(s: OptimizerState): void {
    if (s.kind !== this.kind) throw new ReproError(`checkpoint optimizer is '${s.kind}', but this run uses '${this.kind}'; pass --optimizer ${s.kind}`);
    this.t = s.t;
    this.store.restore(s.buffers);
  }
}
