/**
 * Options against their schema: defaults filled in, every value checked strictly (type, range, choice), and
 * an error that names the option as the caller knows it — `--budget-macs` on the command line, `budget` in a
 * recipe or the library.
 */
import { ReproError } from '../util/errors.js';
import type { OptionSchema, OptionSpec, PassSpec } from './contract.js';

/**
 * PRO's samples per evaluation when none are given (channels pass, schedule/pro): as many as keep one evaluation
 * within PRO_EVAL_MACS, between PRO_SAMPLES_MIN and PRO_SAMPLES_MAX. 512 instead of 128 took PRO from behind one
 * uniform ratio to ahead of it for REAP on vgg-small (docs/bench/reap-pro-samples.md); a search runs hundreds of
 * evaluations, so large models (ResNet-50: 4 G MACs a sample) keep 128.
 */
export const PRO_SAMPLES_MAX = 512;
export const PRO_SAMPLES_MIN = 128;
export const PRO_EVAL_MACS = 2 ** 34;

/** PRO's default sample count for a model of `macsPerSample` (see PRO_SAMPLES_MAX). */
export function proSamplesFor(macsPerSample: number): number {
  const fit = Math.floor(PRO_EVAL_MACS / Math.max(1, macsPerSample));
  return Math.min(PRO_SAMPLES_MAX, Math.max(PRO_SAMPLES_MIN, fit));
}

/** `--measure-batch` of the lowering passes (tile-lower, unify-lower): decide lowering per layer by timing it. */
export const MEASURE_BATCH_OPTION: OptionSpec = {
  type: 'number',
  integer: true,
  min: 0,
  max: 4096,
  default: 0,
  help: 'time each layer dense vs lowered in ORT at this batch; keep it dense unless lowering is faster (0 = off)',
};

/** `budgetMacs` → `--budget-macs`, unless the spec names its flag. */
export function flagOf(key: string, spec: OptionSpec): string {
  return spec.flag ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export type OptionNamer = (key: string, spec: OptionSpec) => string;

/** How library and recipe errors name an option: the key itself. */
export const byKey: OptionNamer = (key) => key;

function describeRange(s: OptionSpec & { type: 'number' }): string {
  const kind = s.integer ? 'an integer' : 'a number';
  if (s.min !== undefined && s.max !== undefined) return `${kind} in [${s.min}, ${s.max}]`;
  if (s.min !== undefined) return `${kind} >= ${s.min}`;
  if (s.max !== undefined) return `${kind} <= ${s.max}`;
  return kind;
}

/** A number from a number or a strictly numeric string ('' and '1e' are errors, not 0 and NaN). */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()))
    return Number(v);
  return undefined;
}

/** A value as it appears in an error: quoted when it is empty or has spaces. */
function shown(v: unknown): string {
  return typeof v === 'string' && !/^\S+$/.test(v) ? `'${v}'` : String(v);
}

function checkOne(name: string, spec: OptionSpec, v: unknown): unknown {
  switch (spec.type) {
    case 'number': {
      const n = toNumber(v);
      const ok = n !== undefined && Number.isFinite(n) && (!spec.integer || Number.isInteger(n));
      if (!ok || (spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new ReproError(`${name} ${shown(v)}: expected ${describeRange(spec)}`);
      }
      return n;
    }
    case 'choice':
      if (typeof v !== 'string' || !spec.values.includes(v))
        throw new ReproError(`${name} ${shown(v)}: choose one of ${spec.values.join(', ')}`);
      return v;
    case 'boolean':
      if (typeof v !== 'boolean') throw new ReproError(`${name} ${shown(v)}: expected true or false`);
      return v;
    case 'string':
      if (typeof v !== 'string') throw new ReproError(`${name}: expected a string, got ${typeof v}`);
      return v;
    case 'list': {
      const items = typeof v === 'string' ? v.split(',') : v;
      if (!Array.isArray(items) || items.some((s) => typeof s !== 'string'))
        throw new ReproError(`${name}: expected a comma-separated list`);
      return items.map((s: string) => s.trim()).filter(Boolean);
    }
  }
}

/**
 * Validate `raw` against a pass's schema: unknown keys are refused (listing the known ones), values are checked
 * and converted, defaults fill what is missing. `undefined` values count as missing.
 */
export function resolveOptions<O>(
  spec: Pick<PassSpec<O>, 'name' | 'options'>,
  raw: Record<string, unknown>,
  namer: OptionNamer = byKey,
): O {
  const schema = spec.options as OptionSchema<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(schema, key) && raw[key] !== undefined) {
      throw new ReproError(`pass '${spec.name}': unknown option '${key}'; known: ${Object.keys(schema).join(', ')}`);
    }
  }
  for (const [key, s] of Object.entries(schema)) {
    const v = Object.hasOwn(raw, key) ? raw[key] : undefined;
    if (v !== undefined) out[key] = checkOne(namer(key, s), s, v);
    else if (s.default !== undefined) out[key] = Array.isArray(s.default) ? [...s.default] : s.default;
  }
  return out as O;
}
