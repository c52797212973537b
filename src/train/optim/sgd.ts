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
    for (const p of params) {
      let momentum: Float32Array | undefined;
      if (this.momentum === 0) plainStep(p.data, p.grad, lr, this.weightDecay);
      else {
        const first = !this.store.has(p, 'momentum');
        momentum = this.store.get(p, 'momentum');
        momentumStep(
          p.data,
          p.grad,
          momentum,
          lr,
          this.weightDecay,
          this.momentum,
          1 - this.dampening,
          this.nesterov,
          first,
        );
      }
      if (p.mask) maskOut(p.data, p.mask, momentum);
    }
    this.t++;
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

// Branch-free inner loops, one per case: V8 runs these almost twice as fast as one loop testing mask, nesterov and
// first step per element (vgg-small's 1.15 M parameters: ~7.5 → ~4 ms per step, next to a ~150 ms ORT step).

function plainStep(w: Float32Array, g: Float32Array, lr: number, wd: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= lr * (g[i]! + wd * w[i]!);
}

function momentumStep(
  w: Float32Array,
  g: Float32Array,
  b: Float32Array,
  lr: number,
  wd: number,
  mu: number,
  damp: number,
  nesterov: boolean,
  first: boolean,
): void {
  const n = w.length;
  if (first) {
    for (let i = 0; i < n; i++) b[i] = g[i]! + wd * w[i]!;
    if (nesterov) for (let i = 0; i < n; i++) w[i] -= lr * (b[i]! + mu * b[i]!);
    else for (let i = 0; i < n; i++) w[i] -= lr * b[i]!;
    return;
  }
  if (nesterov) {
    for (let i = 0; i < n; i++) {
      const d = g[i]! + wd * w[i]!;
      const bi = mu * b[i]! + damp * d;
      b[i] = bi;
      w[i] -= lr * (d + mu * bi);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const bi = mu * b[i]! + damp * (g[i]! + wd * w[i]!);
      b[i] = bi;
      w[i] -= lr * bi;
    }
  }
}

/** Pruned weights (and their momentum) stay exactly zero. */
function maskOut(w: Float32Array, mask: Uint8Array, b: Float32Array | undefined): void {
  for (let i = 0; i < w.length; i++) {
    if (mask[i] === 0) {
      w[i] = 0;
      if (b) b[i] = 0;
    }
  }
}
