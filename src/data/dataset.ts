/**
 * The in-memory dataset every pass consumes, and the checks that turn raw arrays into one.
 * Images are float32 NCHW (per-sample `shape`, e.g. [1, 28, 28]); labels are int32 class ids.
 */
import { ReproError } from '../util/errors.js';
import { applyChannelNormalize, type ChannelNormalize, isChannelNormalize, type Normalize } from './normalize.js';

export interface Dataset {
  name: string;
  /** count × prod(shape) float32 values, sample-major, each sample in CHW order. Treat as read-only. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
  /** Per-sample shape, e.g. [1, 28, 28]. */
  shape: number[];
  numClasses: number;
}

export type { Normalize } from './normalize.js';

export type RawArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;

/** Raw arrays as read from disk, plus the file names that error messages must mention. */
export interface RawSplit {
  name: string;
  imagesFile: string;
  labelsFile: string;
  images: { data: RawArray; dims: number[] };
  labels: { data: RawArray; dims: number[] };
}

export interface BuildOptions {
  /** Known class count (e.g. 10 for MNIST); when absent it is max(label) + 1. */
  numClasses?: number;
  /** One mean/std for all values, or one per channel (applied to NCHW samples). */
  normalize?: Normalize | ChannelNormalize;
}

/**
 * Validate and convert raw arrays: uint8 pixels become pixel/255, float pixels are kept
 * (and must be finite), then optional (x - mean) / std. Rank-4 NHWC input is moved to NCHW.
 */
export function buildDataset(raw: RawSplit, opts: BuildOptions = {}): Dataset {
  const { imagesFile, labelsFile } = raw;
  const idims = raw.images.dims;
  const count = idims[0] ?? 0;
  if (idims.length < 2)
    throw new ReproError(`${imagesFile}: images need at least 2 dims [N, ...], got [${idims.join(', ')}]`);
  if (count === 0) throw new ReproError(`${imagesFile}: empty dataset (0 images)`);
  const ldims = raw.labels.dims;
  if (!(ldims.length === 1 || (ldims.length === 2 && ldims[1] === 1))) {
    throw new ReproError(`${labelsFile}: labels must be 1-D class ids, got dims [${ldims.join(', ')}]`);
  }
  if (ldims[0] !== count) {
    throw new ReproError(
      `${imagesFile} has ${count} images but ${labelsFile} has ${ldims[0]} labels; the files do not belong together`,
    );
  }
  const { shape, nhwc } = sampleShape(idims);
  const sampleSize = shape.reduce((a, b) => a * b, 1);
  const perChannel = isChannelNormalize(opts.normalize) ? opts.normalize : undefined;
  const scalar = perChannel ? undefined : (opts.normalize as Normalize | undefined);
  const labels = toLabels(raw.labels.data, labelsFile);
  const numClasses = opts.numClasses ?? maxOf(labels) + 1;
  checkLabelRange(labels, numClasses, labelsFile);
  const images = toFloatImages(raw.images.data, imagesFile, scalar, sampleSize, nhwc ? shape : undefined);
  if (perChannel) applyChannelNormalize(images, shape[0] ?? 1, sampleSize / (shape[0] ?? 1), perChannel, imagesFile);
  return { name: raw.name, images, labels, count, shape, numClasses };
}

/** Per-sample shape; rank 3 [N,H,W] gains a channel axis, rank 4 NHWC (last dim 1 or 3) is detected. */
function sampleShape(dims: number[]): { shape: number[]; nhwc: boolean } {
  if (dims.length === 3) return { shape: [1, dims[1], dims[2]], nhwc: false };
  if (dims.length === 4 && (dims[3] === 1 || dims[3] === 3) && !(dims[1] === 1 || dims[1] === 3)) {
    return { shape: [dims[3], dims[1], dims[2]], nhwc: true };
  }
  return { shape: dims.slice(1), nhwc: false };
}

/**
 * Pixels as float32 (uint8 scaled by 1/255), optionally normalized; with `nhwc` (the [C, H, W] sample shape) moved
 * to NCHW in the same pass, so a large image set is allocated and walked once, not twice.
 */
function toFloatImages(
  data: RawArray,
  file: string,
  norm: Normalize | undefined,
  sampleSize: number,
  nhwc?: number[],
): Float32Array {
  if (data instanceof BigInt64Array)
    throw new ReproError(`${file}: int64 images are not supported; store pixels as uint8 or float32`);
  if (norm && !(Number.isFinite(norm.mean) && Number.isFinite(norm.std) && norm.std > 0)) {
    throw new ReproError(`--normalize ${norm.mean},${norm.std}: mean must be finite and std a positive number`);
  }
  const n = data.length;
  const out = new Float32Array(n);
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  if (!(data instanceof Uint8Array)) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(data[i])) {
        throw new ReproError(
          `${file}: image value ${data[i]} at element ${i} (sample ${Math.floor(i / sampleSize)}) is not finite; clean the data`,
        );
      }
    }
  }
  const a = norm ? scale / norm.std : scale;
  const b = norm ? -norm.mean / norm.std : 0;
  if (nhwc) nhwcToNchwScaled(data as ArrayLike<number>, out, nhwc, a, b);
  else if (a === 1 && b === 0) out.set(data as ArrayLike<number>);
  else for (let i = 0; i < n; i++) out[i] = data[i] * a + b;
  return out;
}

function toLabels(data: RawArray, file: string): Int32Array {
  if (data instanceof Int32Array) return data;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw new ReproError(`${file}: label ${data[i]} at index ${i} is not an integer class id`);
    }
    out[i] = v;
  }
  return out;
}

function maxOf(a: Int32Array): number {
  let m = -1;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

function checkLabelRange(labels: Int32Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0 || v >= numClasses) {
      throw new ReproError(
        `${file}: label ${v} at index ${i} is out of range for ${numClasses} classes (expected 0..${numClasses - 1})`,
      );
    }
  }
}

/** out (NCHW) = src (NHWC) · a + b, sample by sample; `shape` is the [C, H, W] of one sample. */
function nhwcToNchwScaled(src: ArrayLike<number>, out: Float32Array, shape: number[], a: number, b: number): void {
  const [c, h, w] = shape as [number, number, number];
  const hw = h * w;
  const size = c * hw;
  for (let base = 0; base < out.length; base += size)
    for (let p = 0; p < hw; p++)
      for (let ch = 0; ch < c; ch++) out[base + ch * hw + p] = src[base + p * c + ch]! * a + b;
}

/** A new dataset holding the given samples (in that order). Indices must lie in [0, ds.count). */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = `${ds.name}[subset]`): Dataset {
  const size = sampleSizeOf(ds);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!(Number.isInteger(i) && i >= 0 && i < ds.count))
      throw new ReproError(`subset of ${ds.name}: index ${i} is outside 0..${ds.count - 1}`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = ds.labels[i];
  }
  return { ...ds, name, images, labels, count: indices.length, shape: [...ds.shape] };
}

/** The first `n` samples (views, no copy); n larger than the dataset keeps all of it. */
export function take(ds: Dataset, n: number): Dataset {
  if (!(Number.isInteger(n) && n > 0)) throw new ReproError(`--limit ${n}: must be a positive integer`);
  if (n >= ds.count) return ds;
  const size = sampleSizeOf(ds);
  return {
    ...ds,
    images: ds.images.subarray(0, n * size),
    labels: ds.labels.subarray(0, n),
    count: n,
    shape: [...ds.shape],
  };
}

export function sampleSizeOf(ds: Dataset): number {
  return ds.shape.reduce((a, b) => a * b, 1);
}
