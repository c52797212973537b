/**
 * Image datasets' pixels: the images an `ImageList` names (see image-list.ts for folders and list files), decoded,
 * transformed and stacked into a split.
 *
 * Decoded, transformed pixels are kept in a cache bounded in bytes (least recently used out first), keyed by file,
 * size, modification time and transform: loading the same images again (a second epoch's data, the test split of
 * a recipe's next step) does not decode them again.
 */
import { statSync } from 'node:fs';
import { readRegularFile } from '../util/read-file.js';
import { ReproError } from '../util/errors.js';
import { checkMemory } from '../util/limits.js';
import type { RawSplit } from './dataset.js';
import { decodeImage } from './image-decode.js';
import { type ImageList, sortNames } from './image-list.js';
import { type ImageTransformSpec, transformImage } from './image-transform.js';

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
