/**
 * Strict reading of numbers typed by a user (flags, list items): plain decimal notation only. '' and ' ' are not 0,
 * '0x10' and '0b1' are not 16 and 1, '1e999' is not Infinity, and an integer must be one exactly (and safe).
 */

import { ReproError } from './errors.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The number `text` spells, or undefined when it is not a finite decimal (an exact safe integer if `integer`). */
export function parseDecimal(text: string, integer = false): number | undefined {
  if (!(integer ? INTEGER : DECIMAL).test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) return undefined;
  return n;
}

/** How a typed value appears in a message: quoted when it is empty or holds spaces. */
export function shownValue(v: string): string {
  return /^\S+$/.test(v) ? v : `'${v}'`;
}

/** "an integer >= 1", "a number in [0, 1]": what a range check expected, in words. */
export function describeNumber(integer: boolean, min?: number, max?: number): string {
  const kind = integer ? 'an integer' : 'a number';
  const lo = min !== undefined && Number.isFinite(min) ? min : undefined;
  const hi = max !== undefined && Number.isFinite(max) && max < Number.MAX_SAFE_INTEGER ? max : undefined;
  if (lo !== undefined && hi !== undefined) return `${kind} in [${lo}, ${hi}]`;
  if (lo !== undefined) return `${kind} >= ${lo}`;
  if (hi !== undefined) return `${kind} <= ${hi}`;
  return kind;
}

export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
}

/** A numeric flag given as text (benches parse their own flags): undefined when absent, else strict. */
export function numberFlag(flag: string, s: string | undefined, rule: NumberRule = {}): number | undefined {
  if (s === undefined) return undefined;
  const n = parseDecimal(s, rule.integer);
  if (n === undefined || (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max))
    throw new ReproError(`${flag} ${shownValue(s)}: expected ${describeNumber(!!rule.integer, rule.min, rule.max)}`);
  return n;
}

/** A comma-separated list of numbers: undefined when absent; '' or an empty item is an error, not "the default". */
export function numberListFlag(flag: string, s: string | undefined, rule: NumberRule = {}): number[] | undefined {
  if (s === undefined) return undefined;
  const items = s.split(',').map((x) => x.trim());
  if (items.some((x) => x === ''))
    throw new ReproError(
      `${flag} ${shownValue(s)}: expected a comma-separated list, each ${describeNumber(!!rule.integer, rule.min, rule.max)}`,
    );
  return items.map((x) => numberFlag(flag, x, rule)!);
}

/** A comma-separated list flag: its trimmed, non-empty items, or undefined when absent or empty (the default). */
export function splitList(s: string | undefined): string[] | undefined {
  return s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
}
