/** Strict numbers: what a user may type for a numeric flag, and the one-line errors for everything else. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFloatFlag, parseIntFlag } from '../../src/cli/flags.js';
import { ReproError } from '../../src/util/errors.js';
import { numberFlag, numberListFlag, parseDecimal, splitList } from '../../src/util/numbers.js';

const NOT_A_NUMBER = ['', ' ', ' 1', '1 ', 'NaN', 'nan', 'abc', '1e999', '-1e999', 'Infinity', '-Infinity', '0x10'];
const MORE_JUNK = ['0b1', '0o7', '1_000', '1,5', '.', '+', '-', '1e', 'e3', '--', '2 3', '1.2.3', '٣', '１'];

describe('parseDecimal', () => {
  test('refuses everything that is not plain decimal notation', () => {
    for (const s of [...NOT_A_NUMBER, ...MORE_JUNK]) assert.equal(parseDecimal(s), undefined, JSON.stringify(s));
  });

  test('reads decimals, signs, fractions and exponents', () => {
    const ok: Array<[string, number]> = [
      ['0', 0],
      ['-3', -3],
      ['+2', 2],
      ['0.5', 0.5],
      ['.25', 0.25],
      ['5.', 5],
      ['1e-3', 0.001],
      ['2E2', 200],
    ];
    for (const [s, n] of ok) assert.equal(parseDecimal(s), n, s);
  });

  test('integers must be whole, written without a fraction or exponent, and safe', () => {
    for (const s of ['1.5', '1.0', '1e3', '9007199254740993', '99999999999999999999'])
      assert.equal(parseDecimal(s, true), undefined, s);
    assert.equal(parseDecimal('007', true), 7);
    assert.equal(parseDecimal('-12', true), -12);
  });
});

describe('flag parsers', () => {
  test('parseIntFlag / parseFloatFlag: one-line errors naming the flag, quoted empties', () => {
    assert.throws(
      () => parseIntFlag('--seed', 0)(''),
      (e) => e instanceof ReproError && e.message === "--seed '': expected an integer >= 0",
    );
    assert.throws(() => parseIntFlag('--classes', 2, 100)('101'), /--classes 101: expected an integer in \[2, 100\]/);
    assert.throws(() => parseFloatFlag('--lr', 0)('0b1'), /--lr 0b1: expected a number/);
    assert.equal(parseIntFlag('--epochs', 1)('3'), 3);
    assert.equal(parseFloatFlag('--momentum', 0, 1)('0.9'), 0.9);
    for (const s of [...NOT_A_NUMBER, ...MORE_JUNK]) {
      assert.throws(() => parseIntFlag('--n')(s), ReproError, JSON.stringify(s));
      assert.throws(() => parseFloatFlag('--x')(s), ReproError, JSON.stringify(s));
    }
  });

  test('numberFlag / numberListFlag: absent is undefined; empty or an empty item is an error', () => {
    assert.equal(numberFlag('--calib', undefined), undefined);
    assert.throws(() => numberFlag('--calib', '', { integer: true }), /--calib '': expected an integer/);
    assert.deepEqual(numberListFlag('--r', '0.3, 0.5,0.7', { min: 0, max: 1 }), [0.3, 0.5, 0.7]);
    for (const s of ['', ',', '0.3,', ',0.3', '0.3,,0.5', '0.3,x', '0.3,2'])
      assert.throws(() => numberListFlag('--r', s, { min: 0, max: 1 }), ReproError, JSON.stringify(s));
  });

  test('splitList: trimmed, non-empty items; absent or empty stays undefined so the default applies', () => {
    assert.deepEqual(splitList(' a, b ,,c '), ['a', 'b', 'c']);
    assert.equal(splitList(''), undefined);
    assert.equal(splitList(undefined), undefined);
  });
});
