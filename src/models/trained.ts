/**
 * Trained zoo models for benches, examples and the demo: reuse `<cache>/<arch>-<data>-e<epochs>-s<seed>.onnx`,
 * else train with the architecture's recipe and cache the result. The cache folder defaults to `.cache/models`
 * in the working directory (gitignored) and can be moved with REPRUNE_MODEL_CACHE.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { loadModelChecked } from '../onnx/prepare.js';
import { saveOnnx } from '../onnx/save.js';
import { ARCH_RECIPES, recipeOptions } from '../train/recipes.js';
import type { EpochStats } from '../train/checkpoint-state.js';
import { trainModel } from '../train/trainer.js';
import { buildModel } from './index.js';

/** The dataset each architecture is benchmarked on. */
export const BENCH_DATA: Record<string, string> = {
  mlp: 'mnist',
  lenet5: 'mnist',
  'vgg-small': 'fashion-mnist',
  'resnet-small': 'fashion-mnist',
  'alexnet-small': 'fashion-mnist',
  'vit-small': 'fashion-mnist',
};

/** The dataset an architecture is benchmarked on; MNIST for one the zoo does not bench. */
export const benchDataOf = (arch: string): string => BENCH_DATA[arch] ?? 'mnist';

/** Epochs of every bench's dense baseline (the zoo recipes reach their accuracy targets in 10). */
export const BASELINE_EPOCHS = 10;

export interface TrainedOptions {
  data?: string;
  epochs?: number;
  seed?: number;
  cacheDir?: string;
  /** Train on only the first N samples (quick runs); part of the cache key. */
  limit?: number;
  log?: (line: string) => void;
  progress?: boolean;
}

function epochLine(arch: string, epoch: number, epochs: number, s: EpochStats): string {
  const acc = (s.trainAcc * 100).toFixed(2);
  return `${arch}: epoch ${epoch + 1}/${epochs}, loss ${s.loss.toFixed(4)}, train acc ${acc} %, ${s.samplesPerSecond.toFixed(0)} samples/s`;
}

export function modelCacheDir(dir?: string): string {
  return dir ?? process.env.REPRUNE_MODEL_CACHE ?? path.join(process.cwd(), '.cache', 'models');
}

export async function trainedModel(
  arch: string,
  o: TrainedOptions = {},
): Promise<{ graph: Graph; file: string; trained: boolean }> {
  const data = o.data ?? benchDataOf(arch);
  const epochs = o.epochs ?? BASELINE_EPOCHS;
  const seed = o.seed ?? 0;
  const dir = modelCacheDir(o.cacheDir);
  const file = path.join(dir, `${arch}-${data}-e${epochs}-s${seed}${o.limit ? `-n${o.limit}` : ''}.onnx`);
  if (existsSync(file)) return { graph: loadModelChecked(file), file, trained: false };
  o.log?.(`training ${arch} on ${data} for ${epochs} epochs (cached as ${file})`);
  const train = loadDataset(data, 'train', { limit: o.limit });
  const opts = recipeOptions({ epochs, seed }, ARCH_RECIPES[arch] ?? ARCH_RECIPES.lenet5!);
  const res = await trainModel(buildModel(arch, { seed }), train, {
    ...opts,
    progress: o.progress ?? false,
    hooks: { afterEpoch: ({ epoch, stats }) => o.log?.(epochLine(arch, epoch, epochs, stats)) },
  });
  mkdirSync(dir, { recursive: true });
  // A cache entry, not a user's output: replaced without a claim (two runs training it at once write the same bytes).
  saveOnnx(res.graph, file);
  return { graph: res.graph, file, trained: true };
}
