/**
 * Which images an image dataset holds, before any pixel is read: the folder layout torchvision's ImageFolder reads
 * (`DIR/train/<class>/*.png|jpg|jpeg`, `DIR/test/<class>/*` or `DIR/val/<class>/*`, or class folders straight in
 * DIR for a single split) and CSV/TSV lists of `path,label` (`DIR/train.csv` + `DIR/test.csv`, or one list file).
 *
 * Class index = position in the sorted class-folder names (code-point order, as Python's `sorted`), taken from the
 * training split when there is one so both splits agree. Samples are ordered round-robin over the classes (each
 * class's files sorted by name), so the first N samples (`--limit`, calibration sets) cover every class.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import { readTextFile } from '../util/read-file.js';

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

export const sortNames = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

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
