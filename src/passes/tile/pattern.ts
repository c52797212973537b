/**
 * Sparsity patterns in the GEMM view of a weight ([rows = outputs, cols = inputs]).
 * A pattern partitions the matrix into groups and says how many elements each group keeps:
 * - `tile th×tw`: groups are tiles (partial at the right/bottom edges); a tile is kept or pruned whole,
 *   chosen by its mean importance against a threshold (global across layers, or per layer).
 *   Element-wise pruning is the 1×1 tile.
 * - `nm N:M`: groups are M consecutive columns of one row; each keeps its N most important elements.
 */
import { ReproError } from '../../util/errors.js';

export type Pattern = { kind: 'tile'; th: number; tw: number } | { kind: 'nm'; n: number; m: number };

/** `--tile 128x1` → tile pattern. */
export function parseTile(spec: string, flag = '--tile'): Pattern {
  const m = /^(\d+)[xX×](\d+)$/.exec(spec.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
    throw new ReproError(`${flag} ${spec}: expected HxW with positive integers, e.g. 128x1, 1x128, 32x32`);
  return { kind: 'tile', th: Number(m[1]), tw: Number(m[2]) };
}

/** `--pattern 2:4` → N:M; `--pattern element` → 1×1 tiles; `--pattern tile` → undefined (use --tile). */
export function parsePattern(spec: string, flag = '--pattern'): Pattern | undefined {
  const s = spec.trim().toLowerCase();
  if (s === 'tile') return undefined;
  if (s === 'element' || s === 'elementwise' || s === 'unstructured') return { kind: 'tile', th: 1, tw: 1 };
  const m = /^(\d+):(\d+)$/.exec(s);
  if (!m || Number(m[1]) < 1 || Number(m[1]) >= Number(m[2]))
    throw new ReproError(`${flag} ${spec}: expected N:M with 0 < N < M (e.g. 2:4), 'element' or 'tile'`);
  return { kind: 'nm', n: Number(m[1]), m: Number(m[2]) };
}

export function patternName(p: Pattern): string {
  return p.kind === 'tile' ? (p.th === 1 && p.tw === 1 ? 'element' : `${p.th}x${p.tw}`) : `${p.n}:${p.m}`;
}

/** Rows spanned by one pruning group (tile height; 1 for N:M). */
export function groupHeight(p: Pattern): number {
  return p.kind === 'tile' ? p.th : 1;
}

/** Columns spanned by one pruning group (tile width; M for N:M). */
export function groupWidth(p: Pattern): number {
  return p.kind === 'tile' ? p.tw : p.m;
}

/** The pattern of `--pattern` when given (and not 'tile'), else the tile of `--tile`. */
export function patternOf(pattern: string | undefined, tile: string): Pattern {
  return (pattern ? parsePattern(pattern) : undefined) ?? parseTile(tile);
}
