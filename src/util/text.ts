/**
 * Text that came from files (graph, node, value, tensor and metadata names; paths; flag values) made safe to print.
 * A terminal acts on more than ASCII control characters: 8-bit C1 controls (U+009B is a whole CSI introducer),
 * bidi overrides and isolates reorder what is shown (U+202E), zero-width and other format characters hide text,
 * and U+2028/U+2029 break lines. All of them are printed as visible escapes instead.
 */

/**
 * Characters never printed raw: controls (C0, DEL, C1), format characters (bidi controls, zero-width, BOM, tags),
 * line/paragraph separators and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** A visible escape: `\n`, `\r`, `\t`, `\x1b` below U+0100, else `\u{202e}`. */
function escapeChar(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const cp = c.codePointAt(0)!;
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/** `s` with every control and format character escaped visibly: safe on a terminal, and always one line. */
export function escapeTerminal(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/** Names inside messages come from untrusted files: escape them so an error stays one visible line, capped in length. */
export function oneLine(msg: string, max = 4000): string {
  const s = escapeTerminal(msg);
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/** Every string inside plain objects and arrays escaped with `escapeTerminal` (for human-readable renderers). */
export function escapeStrings<T>(v: T): T {
  if (typeof v === 'string') return escapeTerminal(v) as T;
  if (Array.isArray(v)) return v.map(escapeStrings) as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [escapeTerminal(k), escapeStrings(x)])) as T;
  return v;
}

/** Outside the C0 range JSON.stringify leaves these raw; inside strings they become \u escapes. */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON.stringify whose output is also safe on a terminal: characters JSON leaves raw (DEL, C1, format characters,
 * U+2028/9) are written as `\uXXXX` escapes. The text parses to exactly the same value.
 */
export function safeJson(value: unknown, space?: number): string {
  // Such characters can only occur inside JSON strings, where a \u escape means the same character.
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, (c) => {
    let out = '';
    for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
  });
}
