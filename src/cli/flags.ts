/** commander argument parsers for numeric flags: strict, with a one-line error naming the flag. */
import { ReproError } from '../util/errors.js';

export function parseIntFlag(flag: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ReproError(`${flag} ${v}: expected an integer >= ${min}`);
    return n;
  };
}

export function parseFloatFlag(flag: string, min = -Infinity, max = Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new ReproError(`${flag} ${v}: expected a number in [${min}, ${max}]`);
    return n;
  };
}
