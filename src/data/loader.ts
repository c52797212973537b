/**
 * Deterministic mini-batches: seeded shuffling per (seed, epoch), optional random-crop/flip
 * augmentation, NCHW float32 out (or the same memory described as [n, features] for rank-2 models).
 */
import { ReproError } from '../util/errors.js';
import { sampleSizeOf, type Dataset } from './dataset.js';
import { SeededRng } from '../util/random.js';
import { filterTaps, resamplePlane } from './image-transform.js';

export { subset, take } from './dataset.js';

export interface Augment {
  /** Random crop after zero padding by this many pixels on each side (e.g. 2 for 28×28). 0 = off. */
  cropPad?: number;
  /** Mirror left-right with probability 1/2. */
  flip?: boolean;
  /** Value of the padding, in preprocessed units (default 0). */
  padValue?: number;
  /**
   * Random resized crop: a window of a random fraction of the area in [minScale, 1] and aspect ratio in [3/4, 4/3]
   * (log-uniform), resampled back to H×W, before the shift and flip. Works on the decoded samples in memory, so no
   * image is decoded again. undefined = off.
   */
  resizedCrop?: { minScale: number };
}

export interface BatchOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number;
  epoch?: number;
  /** Skip a final batch smaller than batchSize. */
  dropLast?: boolean;
  augment?: Augment;
  /** 'nchw' (default): dims [n, ...shape]; 'flat': dims [n, prod(shape)] for rank-2 model inputs. */
  layout?: 'nchw' | 'flat';
}

export interface Batch {
  x: Float32Array;
  y: Int32Array;
  n: number;
  dims: number[];
  /** Dataset indices of the samples in this batch. */
  indices: Int32Array;
}

// Separate random streams, so turning augmentation on never changes the sample order.
const ORDER_STREAM = 0;
const AUGMENT_STREAM = 1;

/** A generator for one (seed, epoch, stream): hashed together so neighbouring epochs are unrelated. */
export function epochRng(seed: number, epoch: number, stream: number): SeededRng {
  let h = (seed >>> 0) ^ Math.imul(epoch + 1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return new SeededRng((h ^ (h >>> 16)) >>> 0);
}

/** Sample order for one epoch: identity, or a Fisher–Yates shuffle seeded by (seed, epoch). */
export function epochOrder(count: number, shuffle: boolean, seed = 0, epoch = 0): Int32Array {
  if (shuffle) return epochRng(seed, epoch, ORDER_STREAM).permutation(count);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

export function numBatches(ds: Dataset, opts: Pick<BatchOptions, 'batchSize' | 'dropLast'>): number {
  return opts.dropLast ? Math.floor(ds.count / opts.batchSize) : Math.ceil(ds.count / opts.batchSize);
}

/** Yield the batches of one epoch. Every batch owns fresh buffers (safe to keep or hand to ORT). */
export function* batches(ds: Dataset, opts: BatchOptions): Generator<Batch> {
  const { batchSize } = opts;
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new ReproError(`--batch-size ${batchSize}: must be a positive integer`);
  const aug = activeAugment(opts.augment, ds);
  const order = epochOrder(ds.count, opts.shuffle ?? false, opts.seed ?? 0, opts.epoch ?? 0);
  const augRng = aug ? epochRng(opts.seed ?? 0, opts.epoch ?? 0, AUGMENT_STREAM) : undefined;
  const size = sampleSizeOf(ds);
  const sampleDims = opts.layout === 'flat' ? [size] : ds.shape;
  const total = numBatches(ds, opts);
  for (let b = 0; b < total; b++) {
    const indices = order.slice(b * batchSize, Math.min((b + 1) * batchSize, ds.count));
    const n = indices.length;
    const x = new Float32Array(n * size);
    const y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      const src = ds.images.subarray(i * size, (i + 1) * size);
      if (aug && augRng) augmentInto(src, x.subarray(k * size, (k + 1) * size), ds.shape, aug, augRng);
      else x.set(src, k * size);
      y[k] = ds.labels[i];
    }
    yield { x, y, n, dims: [n, ...sampleDims], indices };
  }
}

function activeAugment(aug: Augment | undefined, ds: Dataset): ActiveAugment | undefined {
  if (!aug || (!aug.cropPad && !aug.flip && !aug.resizedCrop)) return undefined;
  const pad = aug.cropPad ?? 0;
  if (!(Number.isInteger(pad) && pad >= 0))
    throw new ReproError(`augmentation crop padding ${pad}: must be a non-negative integer`);
  if (ds.shape.length !== 3)
    throw new ReproError(
      `${ds.name}: crop/flip augmentation needs image samples [C, H, W], got [${ds.shape.join(', ')}]`,
    );
  const minScale = aug.resizedCrop?.minScale;
  if (minScale !== undefined && !(minScale > 0 && minScale <= 1))
    throw new ReproError(`random resized crop scale ${minScale}: must be in (0, 1]`);
  return { cropPad: pad, flip: aug.flip ?? false, padValue: aug.padValue ?? 0, resizedCrop: aug.resizedCrop };
}

type ActiveAugment = Required<Omit<Augment, 'resizedCrop'>> & Pick<Augment, 'resizedCrop'>;

/**
 * A random resized crop of one CHW sample (torchvision's RandomResizedCrop sampling, up to 10 tries, then the whole
 * image), resampled to the same H×W with the antialiased bilinear filter of image folders. Draws from `rng`.
 */
export function resizedCropInto(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  minScale: number,
  rng: SeededRng,
): void {
  const [c, h, w] = shape as [number, number, number];
  let ch = h;
  let cw = w;
  for (let attempt = 0; attempt < 10; attempt++) {
    const area = h * w * (minScale + (1 - minScale) * rng.next());
    const ratio = Math.exp(Math.log(3 / 4) + (Math.log(4 / 3) - Math.log(3 / 4)) * rng.next());
    const tw = Math.round(Math.sqrt(area * ratio));
    const th = Math.round(Math.sqrt(area / ratio));
    if (tw >= 1 && th >= 1 && tw <= w && th <= h) {
      ch = th;
      cw = tw;
      break;
    }
  }
  const top = rng.int(h - ch + 1);
  const left = rng.int(w - cw + 1);
  const rows = filterTaps(h, h, top, ch);
  const cols = filterTaps(w, w, left, cw);
  for (let k = 0; k < c; k++) {
    const plane = src.subarray(k * h * w, (k + 1) * h * w);
    dst.set(resamplePlane(plane, w, rows, cols), k * h * w);
  }
}

/**
 * One augmented sample: shift by (dy, dx) in [-pad, pad] (equivalent to padding then cropping
 * back to H×W), then mirror horizontally. Always draws three numbers so the stream stays aligned.
 */
export function augmentInto(
  src: Float32Array,
  dst: Float32Array,
  shape: number[],
  aug: ActiveAugment,
  rng: SeededRng,
): void {
  if (aug.resizedCrop) {
    const cropped = new Float32Array(src.length);
    resizedCropInto(src, cropped, shape, aug.resizedCrop.minScale, rng);
    src = cropped;
  }
  const [c, h, w] = shape;
  const p = aug.cropPad;
  const dy = rng.int(2 * p + 1) - p;
  const dx = rng.int(2 * p + 1) - p;
  const flip = rng.next() < 0.5 && aug.flip;
  for (let ch = 0; ch < c; ch++) {
    const base = ch * h * w;
    for (let yy = 0; yy < h; yy++) {
      const sy = yy + dy;
      const rowOut = base + yy * w;
      if (sy < 0 || sy >= h) {
        dst.fill(aug.padValue, rowOut, rowOut + w);
        continue;
      }
      const rowIn = base + sy * w;
      for (let xx = 0; xx < w; xx++) {
        const sx = (flip ? w - 1 - xx : xx) + dx;
        dst[rowOut + xx] = sx >= 0 && sx < w ? src[rowIn + sx] : aug.padValue;
      }
    }
  }
}
