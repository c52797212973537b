/**
 * Image datasets: the folder layout torchvision's ImageFolder reads (`DIR/train/<class>/*.png|jpg|jpeg`,
 * `DIR/test/<class>/*` or `DIR/val/<class>/*`, or class folders straight in DIR for a single split) and CSV/TSV
 * lists of `path,label` (`DIR/train.csv` + `DIR/test.csv`, or one list file for any split).
 *
 * Class index = position in the sorted class-folder names (code-point order, as Python's `sorted`), taken from the
 * training split when there is one so both splits agree. Samples are ordered round-robin over the classes (each
 * class's files sorted by name), so the first N samples (`--limit`, calibration sets) cover every class.
 *
 * Decoded, transformed pixels are kept in a cache bounded in bytes (least recently used out first), keyed by file,
 * size, modification time and transform: loading the same images again (a second epoch's data, the test split of
 * a recipe's next step) does not decode them again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readRegularFile, readTextFile } from '../util/read-file.js';
import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import { checkMemory } from '../util/limits.js';
import type { RawSplit } from './dataset.js';
import { decodeImage } from './image-decode.js';
import { type ImageTransformSpec, transformImage } from './image-transform.js';

const IMAGE_EXT = /\.(png|jpe?g)$/i;
const LIST_EXT = /\.(csv|tsv)$/i;

/** A list of image files with their class ids, and the class names. */
export interface ImageList {
  /** Where the list came from (a folder or a CSV file), for messages. */
  where: string;
  files: string[];
  labels: number[];
  classes: string[];
}

/** How an image source is laid out; `splits` maps a split to a folder of class folders or a list file. */
export interface ImageSource {
  kind: 'folders' | 'list';
  root: string;
  splits: { train?: string; test?: string };
}

const sortNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(sortNames);
}

function hasImages(dir: string): boolean {
  return readdirSync(dir).some((n) => IMAGE_EXT.test(n));
}

/** The image layout of `spec` (a folder or a .csv/.tsv file), or undefined when it is not an image dataset. */
export function imageSourceOf(spec: string): ImageSource | undefined {
  const root = path.resolve(spec);
  if (!existsSync(root)) return undefined;
  const st = statSync(root);
  if (st.isFile()) return LIST_EXT.test(root) ? { kind: 'list', root, splits: {} } : undefined;
  // Named pipes, sockets and devices are neither a list nor a folder: resolveSource names them in one line.
  if (!st.isDirectory()) return undefined;
  const names = readdirSync(root);
  const list = (s: string[]) => names.find((n) => s.some((x) => n.toLowerCase() === x));
  const trainList = list(['train.csv', 'train.tsv']);
  const testList = list(['test.csv', 'test.tsv', 'val.csv', 'val.tsv']);
  if (trainList || testList) {
    const at = (n?: string) => (n ? path.join(root, n) : undefined);
    return { kind: 'list', root, splits: { train: at(trainList), test: at(testList) } };
  }
  const dirs = subdirs(root);
  const split = (s: string[]) => dirs.find((d) => s.includes(d.toLowerCase()));
  const train = split(['train']);
  const test = split(['test', 'val']);
  const classFolders = (d: string) => subdirs(d).some((c) => hasImages(path.join(d, c)));
  if ((train && classFolders(path.join(root, train))) || (test && classFolders(path.join(root, test)))) {
    const at = (n?: string) => (n ? path.join(root, n) : undefined);
    return { kind: 'folders', root, splits: { train: at(train), test: at(test) } };
  }
  if (dirs.some((d) => hasImages(path.join(root, d)))) return { kind: 'folders', root, splits: {} };
  return undefined;
}

/** Where the `split` of a source lives; a source with one split serves both. */
export function splitLocation(src: ImageSource, split: 'train' | 'test'): string {
  if (!src.splits.train && !src.splits.test) return src.root;
  const at = src.splits[split];
  if (!at) {
    const want = split === 'test' ? 'test/ (or val/) with one folder per class, or test.csv' : 'train/ or train.csv';
    throw new ReproError(`${src.root}: no ${split} split of images; looked for ${want}`);
  }
  return at;
}

/** Round-robin over classes so every prefix of the list is class-balanced. */
function interleave(perClass: string[][]): { files: string[]; labels: number[] } {
  const files: string[] = [];
  const labels: number[] = [];
  const longest = Math.max(0, ...perClass.map((f) => f.length));
  for (let i = 0; i < longest; i++)
    perClass.forEach((list, c) => {
      if (i < list.length) {
        files.push(list[i]!);
        labels.push(c);
      }
    });
  return { files, labels };
}

/** The images of one split folder: class folders sorted, `classes` overriding them when given (training's). */
export function listClassFolders(dir: string, classes?: string[]): ImageList {
  const own = subdirs(dir).filter((c) => hasImages(path.join(dir, c)));
  const names = classes ?? own;
  const unknown = own.filter((c) => !names.includes(c));
  if (unknown.length)
    throw new ReproError(
      `${dir}: class folder '${unknown[0]}' is not among the training classes (${names.join(', ')}); the splits must share class names`,
    );
  const perClass = names.map((c) => {
    const d = path.join(dir, c);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((n) => IMAGE_EXT.test(n))
      .sort(sortNames)
      .map((n) => path.join(d, n));
  });
  const { files, labels } = interleave(perClass);
  if (files.length === 0) throw new ReproError(`${dir}: no .png/.jpg/.jpeg images in its class folders`);
  return { where: dir, files, labels, classes: names };
}

interface ListRow {
  file: string;
  label: string;
  line: number;
}

/** Rows of a `path,label` CSV (or tab-separated) file; a header row (label not a number) is skipped. */
function readListRows(file: string): ListRow[] {
  // A regular file, read within --max-memory (a pipe or /dev/zero named as the list gets a clear error).
  const text = readTextFile(file, { expected: 'a CSV/TSV image list' });
  const sep = /\.tsv$/i.test(file) ? '\t' : ',';
  const rows: ListRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const cut = raw.lastIndexOf(sep);
    if (cut < 0) throw new ReproError(`${file}:${i + 1}: expected 'path${sep}label', got '${raw.slice(0, 80)}'`);
    const label = raw.slice(cut + 1).trim();
    const name = raw
      .slice(0, cut)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (rows.length === 0 && i === 0 && /^(label|class|target|y)$/i.test(label)) return;
    rows.push({ file: path.resolve(path.dirname(file), name), label, line: i + 1 });
  });
  if (rows.length === 0) throw new ReproError(`${file}: the image list has no rows`);
  return rows;
}

/** Class names of list rows: integer labels are ids as given; names are indexed in sorted order. */
function listClasses(rows: ListRow[]): string[] | undefined {
  if (rows.every((r) => /^\d+$/.test(r.label))) return undefined;
  return [...new Set(rows.map((r) => r.label))].sort(sortNames);
}

/** The images of a CSV/TSV list; `also` are the rows of the other split, so named classes index the same way. */
export function readImageList(file: string, alsoFile?: string): ImageList {
  const rows = readListRows(file);
  const named = listClasses(alsoFile ? [...rows, ...readListRows(alsoFile)] : rows);
  const labels = rows.map((r) => {
    if (!named) return Number(r.label);
    const k = named.indexOf(r.label);
    if (/^\d+$/.test(r.label) && k < 0) throw new ReproError(`${file}:${r.line}: mixes numeric and named labels`);
    return k;
  });
  const classes = named ?? Array.from({ length: Math.max(...labels) + 1 }, (_, i) => String(i));
  return { where: file, files: rows.map((r) => r.file), labels, classes };
}

/** The image list of `split` of a source (folders or lists), with classes shared between the splits. */
export function imageListOf(src: ImageSource, split: 'train' | 'test'): ImageList {
  const at = splitLocation(src, split);
  const other = split === 'train' ? src.splits.test : src.splits.train;
  if (src.kind === 'list') return readImageList(at, other);
  const trainDir = src.splits.train;
  const classes = split === 'test' && trainDir ? listClassFolders(trainDir).classes : undefined;
  return listClassFolders(at, classes);
}

// ---- decoding with a bounded cache -------------------------------------------------------------------------------

const DEFAULT_CACHE_BYTES = 512 * 2 ** 20;
let cacheLimit = DEFAULT_CACHE_BYTES;
let cacheBytes = 0;
const pixelCache = new Map<string, Uint8Array>();
let decodes = 0;

/** Bound the decoded-image cache (bytes; 0 turns it off). */
export function setImageCacheBytes(bytes: number): void {
  cacheLimit = Math.max(0, bytes);
  trimCache();
}

/** How many image files were decoded so far (tests check that a second load decodes nothing). */
export function imageDecodeCount(): number {
  return decodes;
}

export function clearImageCache(): void {
  pixelCache.clear();
  cacheBytes = 0;
}

function trimCache(): void {
  for (const [k, v] of pixelCache) {
    if (cacheBytes <= cacheLimit) break;
    pixelCache.delete(k);
    cacheBytes -= v.length;
  }
}

function remember(key: string, px: Uint8Array): void {
  if (px.length > cacheLimit) return;
  pixelCache.set(key, px);
  cacheBytes += px.length;
  trimCache();
}

function specKey(t: ImageTransformSpec): string {
  return `${t.channels}|${t.resize}|${t.crop[0]}x${t.crop[1]}`;
}

/** One file → transformed CHW pixels, from the cache when the same file (unchanged) was transformed alike. */
async function loadOne(file: string, t: ImageTransformSpec): Promise<Uint8Array> {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file);
  } catch (e) {
    throw new ReproError(`${file}: cannot read image (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const key = `${file}|${st.size}|${st.mtimeMs}|${specKey(t)}`;
  const hit = pixelCache.get(key);
  if (hit) {
    pixelCache.delete(key); // most recently used goes last
    pixelCache.set(key, hit);
    return hit;
  }
  const bytes = readRegularFile(file, { expected: 'an image file' });
  decodes++;
  const px = transformImage(await decodeImage(bytes, file), t);
  remember(key, px);
  return px;
}

export interface ImageLoadOptions {
  transform: ImageTransformSpec;
  /** Use only the first `limit` images of the list (round-robin order: every class represented). */
  limit?: number;
  /** Skip files that do not decode (counted in `skipped`) instead of failing on the first one. */
  skipBad?: boolean;
  /** Decodes in flight at once (JPEGs decode on libuv's thread pool). */
  concurrency?: number;
}

export interface LoadedImages {
  raw: RawSplit;
  numClasses: number;
  classes: string[];
  /** Files that failed to decode and were skipped (with --skip-bad-images). */
  skipped: string[];
}

/** Decode and transform the images of a list into uint8 NCHW raw arrays that `buildDataset` turns into a dataset. */
export async function loadImages(list: ImageList, name: string, o: ImageLoadOptions): Promise<LoadedImages> {
  const n = o.limit === undefined ? list.files.length : Math.min(o.limit, list.files.length);
  const { channels, crop } = o.transform;
  const size = channels * crop[0] * crop[1];
  checkMemory(n * size * 5, `${list.where}: ${n} images of ${channels}x${crop[0]}x${crop[1]} take`);
  const pixels: Array<Uint8Array | undefined> = new Array(n);
  const skipped: string[] = [];
  const failures: Array<{ i: number; error: ReproError }> = [];
  let next = 0;
  const worker = async () => {
    while (next < n && failures.length === 0) {
      const i = next++;
      try {
        pixels[i] = await loadOne(list.files[i]!, o.transform);
      } catch (e) {
        if (!(e instanceof ReproError)) throw e;
        if (o.skipBad) skipped.push(list.files[i]!);
        else failures.push({ i, error: e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
  // The first bad file in list order, whichever decode finished first.
  if (failures.length) throw failures.reduce((a, b) => (b.i < a.i ? b : a)).error;
  const kept = pixels.flatMap((p, i) => (p ? [i] : []));
  if (kept.length === 0) throw new ReproError(`${list.where}: none of the ${n} images could be decoded`);
  const data = new Uint8Array(kept.length * size);
  kept.forEach((i, k) => {
    data.set(pixels[i]!, k * size);
  });
  const raw: RawSplit = {
    name,
    imagesFile: list.where,
    labelsFile: list.where,
    images: { data, dims: [kept.length, channels, crop[0], crop[1]] },
    labels: { data: Int32Array.from(kept, (i) => list.labels[i]!), dims: [kept.length] },
  };
  return { raw, numClasses: list.classes.length, classes: list.classes, skipped: skipped.sort(sortNames) };
}
