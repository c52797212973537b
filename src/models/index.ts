/**
 * The model zoo: untrained, seeded builders returning IR graphs (opset 17, IR version 8).
 * Input `input` [N, 1, 28, 28] (mlp: [N, 784]); output `logits` [N, numClasses].
 * Initializers carry PyTorch names (`conv1.weight`, `layer1.0.bn1.running_var`, ...) and PyTorch's
 * default init (weights and biases U(±1/√fan_in); BN γ=1, β=0, running mean 0, var 1).
 *
 * | arch          | params    | MACs/sample | layers                         |
 * |---------------|-----------|-------------|--------------------------------|
 * | mlp           |   266,610 |     266,200 | 3 Gemm                         |
 * | lenet5        |    61,706 |     416,520 | 2 Conv + 3 Gemm                |
 * | vgg-small     | 1,145,002 |  29,984,256 | 6 Conv+BN + 3 Gemm             |
 * | resnet-small  |   272,186 |  31,021,952 | 21 Conv+BN (2 projections) + 1 Gemm |
 * | alexnet-small | 1,998,026 |  26,761,728 | 5 Conv + 3 Gemm                |
 * | vit-small     |   138,890 |   7,702,656 | Conv patches + 4 transformer blocks + 1 Gemm (MACs incl. attention) |
 * (10 classes; params exclude BN running statistics.)
 */
import type { Graph } from '../ir/graph.js';
import { modelMetrics } from '../analysis/metrics.js';
import { ReproError } from '../util/errors.js';
import { buildAlexnetSmall } from './alexnet-small.js';
import { buildLenet5 } from './lenet5.js';
import { buildMlp } from './mlp.js';
import { buildResnetSmall } from './resnet-small.js';
import { buildVggSmall } from './vgg-small.js';
import { buildVitSmall } from './vit-small.js';

export const ZOO_ARCHS = ['mlp', 'lenet5', 'vgg-small', 'resnet-small', 'alexnet-small', 'vit-small'] as const;
export type ZooArch = (typeof ZOO_ARCHS)[number];

export interface BuildOptions {
  /** Seed of the weight init (default 0). */
  seed?: number;
  /** Output classes (default 10). */
  numClasses?: number;
}

const BUILDERS: Record<ZooArch, { build: (seed: number, numClasses: number) => Graph; summary: string }> = {
  mlp: { build: buildMlp, summary: 'LeNet-300-100 MLP, 784-300-100-10, ReLU' },
  lenet5: { build: buildLenet5, summary: 'LeNet-5 (classic 6/16 conv, 120-84 fc), ReLU + max-pool' },
  'vgg-small': { build: buildVggSmall, summary: 'VGG-style conv-BN-ReLU 32,32,M,64,64,M,128,128,M + fc 512-512' },
  'resnet-small': {
    build: buildResnetSmall,
    summary: 'CIFAR-style ResNet-20 (16/32/64, 3×3 basic blocks, BN, 1×1 projection shortcuts)',
  },
  'alexnet-small': {
    build: buildAlexnetSmall,
    summary: 'AlexNet layer mix: 5 convs (5×5, 5×5, 3×3 ×3) + fc 1024-1024',
  },
  'vit-small': {
    build: buildVitSmall,
    summary: 'ViT, 4×4 patches → 49 tokens, dim 64, 4 pre-norm blocks, 4 heads, MLP 128, GELU, mean-pool',
  },
};

export function isZooArch(s: string): s is ZooArch {
  return (ZOO_ARCHS as readonly string[]).includes(s);
}

/** Build an untrained zoo model. Same arch + seed ⇒ bit-identical weights. */
export function buildModel(arch: ZooArch | string, opts: BuildOptions = {}): Graph {
  if (!isZooArch(arch))
    throw new ReproError(`unknown zoo architecture '${arch}'; choose one of: ${ZOO_ARCHS.join(', ')}`);
  const seed = opts.seed ?? 0;
  const numClasses = opts.numClasses ?? 10;
  if (!(Number.isInteger(numClasses) && numClasses >= 2))
    throw new ReproError(`numClasses ${numClasses}: must be an integer ≥ 2`);
  if (!Number.isFinite(seed)) throw new ReproError(`seed ${seed}: must be a finite number`);
  return BUILDERS[arch].build(seed, numClasses);
}

/** One line for docs and `export-zoo --help`, e.g. "lenet5: LeNet-5 ... — 61,706 params, 416,520 MACs/sample". */
export function describeModel(arch: ZooArch | string): string {
  const g = buildModel(arch);
  const { totals } = modelMetrics(g);
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `${arch}: ${BUILDERS[arch as ZooArch].summary} — ${fmt(totals.params)} params, ${fmt(totals.macs)} MACs/sample`;
}
