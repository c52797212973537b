/** commander argument parsers for numeric flags: strict, with a one-line error naming the flag. */
import { ReproError } from '../util/errors.js';
import { describeNumber, parseDecimal, shownValue } from '../util/numbers.js';

/** An integer flag in [min, max]; '', '1.5', '0x10', '1e3' and unsafe integers are errors. */
export function parseIntFlag(flag: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = parseDecimal(v, true);
    if (n === undefined || n < min || n > max)
      throw new ReproError(`${flag} ${shownValue(v)}: expected ${describeNumber(true, min, max)}`);
    return n;
  };
}

/** A finite decimal number flag in [min, max]; '', 'NaN', 'Infinity', '0x10' are errors. */
export function parseFloatFlag(flag: string, min = -Infinity, max = Infinity) {
  return (v: string): number => {
    const n = parseDecimal(v);
    if (n === undefined || n < min || n > max)
      throw new ReproError(`${flag} ${shownValue(v)}: expected a number in [${min}, ${max}]`);
    return n;
  };
}
