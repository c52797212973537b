import { ReproError } from '../../util/errors.js';
import { Adam } from './adam.js';
import { Sgd } from './sgd.js';
import type { Optimizer, OptimizerOptions } from './types.js';

export { Sgd, type SgdOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { clipGradNorm } from './clip.js';
export { makeSchedule, type Schedule, type ScheduleKind, type ScheduleOptions } from './schedule.js';
export {
  maskGrad,
  type Optimizer,
  type OptimizerKind,
  type OptimizerOptions,
  type OptimizerState,
  type Param,
} from './types.js';

export function makeOptimizer(o: OptimizerOptions): Optimizer {
  switch (o.kind) {
    case 'sgd':
      return new Sgd({
        momentum: o.momentum,
        dampening: o.dampening,
        nesterov: o.nesterov,
        weightDecay: o.weightDecay,
      });
    case 'adam':
      return new Adam({ beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay });
    case 'adamw':
      return new Adam({ beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay, decoupled: true });
    default:
      throw new ReproError(`--optimizer ${String(o.kind)}: unknown; use sgd, adam or adamw`);
  }
}
