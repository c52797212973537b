/**
 * Safe printing: whatever a file's names hold, the escaped text has no character a terminal acts on (controls,
 * C1, bidi and other format characters, separators, lone surrogates), ordinary text passes unchanged, and
 * `safeJson` parses back to exactly the same value.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRng } from '../../src/util/random.js';
import { escapeStrings, escapeTerminal, oneLine, safeJson } from '../../src/util/text.js';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Code points a hostile name may hold: every C0/C1 control, DEL, bidi/format/zero-width, tags, separators. */
const HOSTILE = [
  ...Array.from({ length: 0x20 }, (_, i) => i),
  ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
  0xad,
  0x61c,
  0x200b,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  ...Array.from({ length: 5 }, (_, i) => 0x202a + i),
  ...Array.from({ length: 4 }, (_, i) => 0x2066 + i),
  0xfeff,
  0xfff9,
  0xe0001,
  0xe0041,
  0xe007f,
];
const PLAIN = ['a', 'Z', '0', ' ', '\\', '"', 'é', 'ß', '中', 'ж', '😀', 'ℕ', '→', '…'];

/** A seeded random string mixing hostile code points, lone surrogates and ordinary text. */
function hostileString(rng: SeededRng): string {
  let s = '';
  const n = rng.int(24);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.4) s += String.fromCodePoint(HOSTILE[rng.int(HOSTILE.length)]!);
    else if (r < 0.45)
      s += String.fromCharCode(0xd800 + rng.int(0x800)); // a lone surrogate
    else s += PLAIN[rng.int(PLAIN.length)]!;
  }
  return s;
}

describe('escapeTerminal / oneLine', () => {
  test('no unsafe character survives, on 5000 seeded hostile strings', () => {
    const rng = new SeededRng(21);
    for (let i = 0; i < 5000; i++) {
      const s = hostileString(rng);
      const e = escapeTerminal(s);
      for (const ch of e)
        assert.ok(!UNSAFE.test(ch), `U+${ch.codePointAt(0)!.toString(16)} left in ${JSON.stringify(e)}`);
    }
  });

  test('ordinary text (accents, CJK, emoji, backslashes) is unchanged', () => {
    const s = PLAIN.join('');
    assert.equal(escapeTerminal(s), s);
  });

  test('each class of character gets a visible escape', () => {
    assert.equal(escapeTerminal('a\x1b[2Jb'), 'a\\x1b[2Jb');
    assert.equal(escapeTerminal('\u009b2J'), '\\x9b2J');
    assert.equal(escapeTerminal('x\u202ey'), 'x\\u{202e}y');
    assert.equal(escapeTerminal('l1\nl2\r\t'), 'l1\\nl2\\r\\t');
    assert.equal(escapeTerminal('\u{e0041}'), '\\u{e0041}');
    assert.equal(escapeTerminal('\ud800'), '\\u{d800}');
  });

  test('oneLine caps the length and says how much was cut', () => {
    const s = oneLine('x'.repeat(50), 10);
    assert.equal(s, `${'x'.repeat(10)}… (40 more characters)`);
  });

  test('escapeStrings reaches strings in nested objects and arrays, keys included, numbers untouched', () => {
    const v = escapeStrings({ a: ['\u202e', 3], 'k\x1b': { b: '\u009b' }, n: null });
    assert.deepEqual(v, { a: ['\\u{202e}', 3], 'k\\x1b': { b: '\\x9b' }, n: null });
  });
});

describe('safeJson', () => {
  test('parses back to the same value and prints nothing unsafe raw, on 2000 seeded values', () => {
    const rng = new SeededRng(7);
    for (let i = 0; i < 2000; i++) {
      const v = {
        name: hostileString(rng),
        list: [hostileString(rng), rng.int(100), { [hostileString(rng)]: hostileString(rng) }],
        x: rng.next(),
      };
      for (const space of [undefined, 2]) {
        const text = safeJson(v, space);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(v)));
        for (const ch of text) if (ch !== '\n') assert.ok(!UNSAFE.test(ch), `U+${ch.codePointAt(0)!.toString(16)} raw`);
      }
    }
  });
});
