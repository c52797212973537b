import type { Dim } from '../graph.js';

/**
 * A little algebra on dimensions so symbolic batch sizes survive Flatten/Reshape exactly:
 * a string dim is read as a monomial `c*A*B` (coefficient times symbols). Products and exact
 * quotients of monomials stay exact ('N' * 256 = '256*N', '256*N' / 256 = 'N'); anything else
 * (sums, floors of symbols) becomes a fresh symbol supplied by the caller.
 */
interface Monomial {
  coef: number;
  syms: string[];
}

function toMono(d: Dim): Monomial {
  if (typeof d === 'number') return { coef: d, syms: [] };
  let coef = 1;
  const syms: string[] = [];
  for (const part of d.split('*')) {
    const p = part.trim();
    if (/^\d+$/.test(p)) coef *= Number(p);
    else syms.push(p);
  }
  // A name like 'a*' or '' is odd but still one opaque symbol.
  if (syms.some((s) => s === '')) return { coef: 1, syms: [d] };
  return { coef, syms: syms.sort() };
}

function fromMono(m: Monomial): Dim {
  if (m.syms.length === 0 || m.coef === 0) return m.coef;
  return m.coef === 1 ? m.syms.join('*') : `${m.coef}*${m.syms.join('*')}`;
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function mulDims(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  const ma = toMono(a),
    mb = toMono(b);
  return fromMono({ coef: ma.coef * mb.coef, syms: [...ma.syms, ...mb.syms].sort() });
}

export function prodDims(dims: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of dims) p = mulDims(p, d);
  return p;
}

/** a / b when it is exact, else undefined. */
export function divDims(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return b !== 0 && a % b === 0 ? a / b : undefined;
  const ma = toMono(a),
    mb = toMono(b);
  if (mb.coef === 0 || ma.coef % mb.coef !== 0) return undefined;
  const rest = [...ma.syms];
  for (const s of mb.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return fromMono({ coef: ma.coef / mb.coef, syms: rest });
}

export function dimsEqual(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return fromMono(toMono(a)) === fromMono(toMono(b));
}

export function shapesEqual(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => dimsEqual(d, b[i]!));
}

/** Sum of dims; numbers add, otherwise undefined (the caller makes a fresh symbol). */
export function addDims(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return undefined;
}

export function formatShape(s: readonly Dim[]): string {
  return `[${s.join(',')}]`;
}
