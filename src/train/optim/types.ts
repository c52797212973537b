/**
 * Optimizer contract: parameters are Float32Arrays updated in place from their gradients.
 * A mask (1 = keep, 0 = pruned) pins a weight at exactly 0: its update, gradient and optimizer state are zeroed.
 */
export interface Param {
  name: string;
  data: Float32Array;
  grad: Float32Array;
  /** 0 = pruned (held at exactly 0), non-zero = trainable. */
  mask?: Uint8Array;
}

/** Everything needed to continue bit-identically after a restart. */
export interface OptimizerState {
  kind: string;
  /** Number of steps taken. */
  t: number;
  /** Per-parameter buffers, keyed `${param}/${slot}` (e.g. `conv1.weight/momentum`). */
  buffers: Record<string, Float32Array>;
}

export interface Optimizer {
  readonly kind: string;
  /** One update of every parameter with learning rate `lr`. */
  step(params: readonly Param[], lr: number): void;
  state(): OptimizerState;
  load(state: OptimizerState): void;
}

export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

export interface OptimizerOptions {
  kind: OptimizerKind;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Lazily allocated, named state buffers shared by the optimizers. */
export class BufferStore {
  readonly buffers = new Map<string, Float32Array>();

  get(param: Param, slot: string): Float32Array {
    const key = `${param.name}/${slot}`;
    let b = this.buffers.get(key);
    if (!b) {
      b = new Float32Array(param.data.length);
      this.buffers.set(key, b);
    }
    return b;
  }

  has(param: Param, slot: string): boolean {
    return this.buffers.has(`${param.name}/${slot}`);
  }

  snapshot(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, v] of this.buffers) out[k] = v.slice();
    return out;
  }

  restore(buffers: Record<string, Float32Array>): void {
    this.buffers.clear();
    for (const [k, v] of Object.entries(buffers)) this.buffers.set(k, v.slice());
  }
}

/** Zero the gradient of pruned entries (used by callers that read grads after masking, e.g. hooks). */
export function maskGrad(p: Param): void {
  const m = p.mask;
  if (!m) return;
  const g = p.grad;
  for (let i = 0; i < g.length; i++) if (m[i] === 0) g[i] = 0;
}
