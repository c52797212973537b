/**
 * Learning-rate schedules as pure functions of the global step, so a resumed run sees the same rates.
 * `lrAt(step)` for step = 0 … totalSteps−1.
 */
import { ReproError } from '../../util/errors.js';

export type ScheduleKind = 'none' | 'cosine' | 'step';

export interface ScheduleOptions {
  kind: ScheduleKind;
  /** Base learning rate. */
  lr: number;
  totalSteps: number;
  /** Steps per epoch (step schedule decays per epoch). */
  stepsPerEpoch?: number;
  /** Linear warm-up from lr·warmupStart to lr over this many steps (then the main schedule runs on the rest). */
  warmupSteps?: number;
  warmupStart?: number;
  /** cosine: final learning rate (default 0). */
  minLr?: number;
  /** step: multiply by gamma every `stepEpochs` epochs (defaults 0.1 and ⌈epochs/3⌉). */
  gamma?: number;
  stepEpochs?: number;
}

export type Schedule = (step: number) => number;

export function makeSchedule(o: ScheduleOptions): Schedule {
  if (!(o.lr > 0 && Number.isFinite(o.lr))) throw new ReproError(`--lr ${o.lr}: must be a positive number`);
  const warm = Math.max(0, Math.floor(o.warmupSteps ?? 0));
  const start = o.warmupStart ?? 0;
  const rest = Math.max(1, o.totalSteps - warm);
  const main = mainSchedule(o, rest);
  return (step) => {
    if (step < warm) return o.lr * (start + ((1 - start) * (step + 1)) / warm);
    return main(step - warm);
  };
}

function mainSchedule(o: ScheduleOptions, total: number): Schedule {
  switch (o.kind) {
    case 'none':
      return () => o.lr;
    case 'cosine': {
      const lo = o.minLr ?? 0;
      return (s) => lo + (o.lr - lo) * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, total)) / total));
    }
    case 'step': {
      const spe = Math.max(1, o.stepsPerEpoch ?? total);
      const epochs = Math.max(1, Math.ceil(total / spe));
      const every = Math.max(1, o.stepEpochs ?? Math.ceil(epochs / 3));
      const gamma = o.gamma ?? 0.1;
      return (s) => o.lr * gamma ** Math.floor(Math.floor(s / spe) / every);
    }
    default:
      throw new ReproError(`--schedule ${String(o.kind)}: unknown; use cosine, step or none`);
  }
}
