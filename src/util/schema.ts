/**
 * Strict checks of JSON read back from files reprune wrote (checkpoint state and the like): parse without
 * prototype keys, then validate every field against a schema given as data. Unknown fields are refused, and the
 * error names the field (`optimizer.buffers.fc1.weight/momentum`) with what was expected and what was found.
 */
import { ReproError } from './errors.js';

export type Schema =
  | { type: 'int'; min?: number; max?: number }
  | { type: 'number'; min?: number; max?: number }
  | { type: 'string'; pattern?: RegExp; hint?: string }
  | { type: 'literal'; value: string | number | boolean }
  | { type: 'array'; items: Schema }
  | { type: 'object'; fields: Record<string, Schema>; optional?: readonly string[] }
  | { type: 'record'; values: Schema };

/** Keys that would reach an object's prototype when copied or assigned. */
const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse that refuses prototype keys anywhere; `where` starts the one-line message. */
export function parseJsonStrict(text: string, where: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (PROTO_KEYS.has(key)) throw new ReproError(`${where}: key '${key}' is not allowed in this file`);
      return value;
    });
  } catch (e) {
    if (e instanceof ReproError) throw e;
    throw new ReproError(`${where}: not valid JSON (${(e as Error).message})`);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function range(s: { min?: number; max?: number }): string {
  if (s.min !== undefined && s.max !== undefined) return ` in [${s.min}, ${s.max}]`;
  if (s.min !== undefined) return ` >= ${s.min}`;
  if (s.max !== undefined) return ` <= ${s.max}`;
  return '';
}

/** What the value of `s` must be, in words. */
function expected(s: Schema): string {
  switch (s.type) {
    case 'int':
      return `an integer${range(s)}`;
    case 'number':
      return `a finite number${range(s)}`;
    case 'string':
      return s.hint ?? 'text';
    case 'literal':
      return JSON.stringify(s.value);
    case 'array':
      return 'a list';
    default:
      return 'an object';
  }
}

function scalarOk(v: unknown, s: Schema): boolean {
  switch (s.type) {
    case 'int':
      return Number.isSafeInteger(v) && inRange(v as number, s);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) && inRange(v, s);
    case 'string':
      return typeof v === 'string' && (!s.pattern || s.pattern.test(v));
    case 'literal':
      return v === s.value;
    case 'array':
      return Array.isArray(v);
    default:
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

const inRange = (n: number, s: { min?: number; max?: number }) =>
  (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max);

/** Throw a ReproError naming the first field of `v` that does not match `s`. */
export function validate(v: unknown, s: Schema, where: string, field = ''): void {
  const name = field || '(the whole file)';
  if (!scalarOk(v, s)) throw new ReproError(`${where}: field '${name}' should be ${expected(s)}, found ${describe(v)}`);
  const join = (k: string | number) => (field ? `${field}.${k}` : String(k));
  if (s.type === 'array') for (const [i, x] of (v as unknown[]).entries()) validate(x, s.items, where, join(i));
  if (s.type === 'record') for (const [k, x] of Object.entries(v as object)) validate(x, s.values, where, join(k));
  if (s.type !== 'object') return;
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!Object.hasOwn(s.fields, k)) throw new ReproError(`${where}: unknown field '${join(k)}'`);
  for (const [k, fs] of Object.entries(s.fields)) {
    if (o[k] === undefined) {
      if (s.optional?.includes(k)) continue;
      throw new ReproError(`${where}: field '${join(k)}' is missing`);
    }
    validate(o[k], fs, where, join(k));
  }
}
