/**
 * The demo's settings: one full configuration (the README's `reprune demo`, < 10 min on 2 cores) and a
 * `--quick` one for CI that keeps every method but shrinks epochs and data. Every number a method step
 * uses lives here, so the report's "reproduce" line plus this file say exactly what was run.
 */

export interface DemoConfig {
  quick: boolean;
  arch: 'lenet5';
  data: 'mnist';
  /** Dense model: epochs and training-sample limit (undefined = all 60k). */
  baseEpochs: number;
  trainLimit?: number;
  /** Test samples every model is evaluated on (undefined = all 10k). */
  testLimit?: number;
  /** Calibration samples for REAP Grams and PRO's logit error. */
  calibSamples: number;
  latencyBatch: number;
  latencyIters: number;
  tile: { tile: string; sparsity: number; curve: number[] };
  /** Structured pruning: fraction of the dense MACs kept. */
  proBudget: number;
  /**
   * LOP + SP-KD on the first `samples` training samples with the finetune pass's defaults (expansion rate, SP-KD γ,
   * learning rate): only the budget is set, so the demo shows what a user gets.
   */
  lop: { epochs: number; samples: number };
  /** ADMM trains on the first `samples` training samples (its W-step with the proximal terms is ~2× slower than plain training). */
  unify: {
    block: string;
    unify: number;
    prune: number;
    samples: number;
    admmRounds: number;
    epochsPerRound: number;
    retrainEpochs: number;
  };
  /** TEDEPR trains from scratch; mlp, since at 99 % sparsity lenet5 keeps only ~600 weights (too few to learn MNIST). */
  tedepr: {
    arch: 'lenet5' | 'mlp';
    sparsity: number;
    score: 'snip' | 'trainability' | 'synflow' | 'magnitude';
    epochs: number;
  };
  /** REAP scaling plot: layer widths timed with the fast and the naive (per-step) greedy. */
  scaling: { fast: number[]; naive: number[] };
}

export function demoConfig(quick: boolean): DemoConfig {
  if (quick) {
    return {
      quick,
      arch: 'lenet5',
      data: 'mnist',
      baseEpochs: 3,
      trainLimit: 10000,
      testLimit: 2000,
      calibSamples: 512,
      latencyBatch: 64,
      latencyIters: 5,
      tile: { tile: '32x32', sparsity: 0.7, curve: [0.5, 0.7, 0.9] },
      proBudget: 0.5,
      lop: { epochs: 1, samples: 2000 },
      unify: {
        block: '1x4',
        unify: 0.5,
        prune: 0.3,
        samples: 4000,
        admmRounds: 1,
        epochsPerRound: 1,
        retrainEpochs: 1,
      },
      tedepr: { arch: 'mlp', sparsity: 0.99, score: 'synflow', epochs: 1 },
      scaling: { fast: [16, 32, 64], naive: [16, 32] },
    };
  }
  return {
    quick,
    arch: 'lenet5',
    data: 'mnist',
    baseEpochs: 10,
    calibSamples: 2000,
    latencyBatch: 64,
    latencyIters: 30,
    tile: { tile: '32x32', sparsity: 0.7, curve: [0.3, 0.5, 0.6, 0.7, 0.8, 0.9] },
    proBudget: 0.5,
    lop: { epochs: 1, samples: 20000 },
    unify: { block: '1x4', unify: 0.5, prune: 0.3, samples: 20000, admmRounds: 2, epochsPerRound: 1, retrainEpochs: 1 },
    tedepr: { arch: 'mlp', sparsity: 0.99, score: 'synflow', epochs: 3 },
    scaling: { fast: [16, 32, 64, 128, 256], naive: [16, 32, 64, 128] },
  };
}
