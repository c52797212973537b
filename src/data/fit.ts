/**
 * Matching a dataset to a model input: choose NCHW or flat layout, or explain the mismatch.
 * Also parses the `--normalize MEAN,STD` flag.
 */
import { ReproError } from '../util/errors.js';
import type { Dataset, Normalize } from './dataset.js';

/** A model input dim: a number, or a symbolic/unknown dim (string, undefined, or ≤ 0) that matches anything. */
export type InputDim = number | string | undefined | null;

function fixed(d: InputDim): d is number {
  return typeof d === 'number' && d > 0;
}

/**
 * 'nchw' when the model takes [N, ...ds.shape], 'flat' when it takes [N, prod(ds.shape)].
 * Throws a ReproError naming the model and the dataset otherwise.
 */
export function layoutFor(ds: Dataset, inputDims: readonly InputDim[], model: string): 'nchw' | 'flat' {
  const sample = inputDims.slice(1);
  const size = ds.shape.reduce((a, b) => a * b, 1);
  if (sample.length === ds.shape.length && sample.every((d, i) => !fixed(d) || d === ds.shape[i])) return 'nchw';
  if (sample.length === 1 && (!fixed(sample[0]) || sample[0] === size)) return 'flat';
  const show = inputDims.map((d) => (fixed(d) ? String(d) : '?')).join(', ');
  throw new ReproError(
    `${model}: model input [${show}] does not fit ${ds.name} samples [${ds.shape.join(', ')}] (${size} values); use a model made for this data`,
  );
}

/** Parse `--normalize MEAN,STD` (e.g. "0.1307,0.3081"). */
export function parseNormalize(text: string): Normalize {
  const parts = text.split(',').map((s) => s.trim());
  const [mean, std] = parts.map(Number);
  if (
    parts.length !== 2 ||
    parts.some((p) => p === '') ||
    !Number.isFinite(mean) ||
    !Number.isFinite(std) ||
    std <= 0
  ) {
    throw new ReproError(`--normalize ${text}: expected MEAN,STD with a positive STD, e.g. --normalize 0.1307,0.3081`);
  }
  return { mean, std };
}
