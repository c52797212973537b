import { ReproError } from '../util/errors.js';
import { readTextFile } from '../util/read-file.js';
import type { RunResults } from './schema.js';

/** Read a results JSON written by `reprune demo` (or a bench), checking the fields the report needs. */
export function loadResults(file: string): RunResults {
  let raw: unknown;
  const text = readTextFile(file, { expected: 'a results JSON' });
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ReproError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = raw as Partial<RunResults>;
  if (!r || typeof r !== 'object' || r.version !== 1 || !r.baseline || !Array.isArray(r.methods)) {
    throw new ReproError(
      `${file}: not a reprune results file (expected {"version":1,"baseline":..,"methods":[..]} as written by 'reprune demo')`,
    );
  }
  for (const m of [r.baseline, ...r.methods]) {
    for (const k of ['accuracy', 'params', 'nonzeros', 'macs', 'bytes'] as const) {
      if (typeof m[k] !== 'number' || !Number.isFinite(m[k]))
        throw new ReproError(`${file}: method '${m.method ?? '?'}' lacks a numeric '${k}'`);
    }
  }
  return {
    curves: [],
    heatmaps: [],
    scaling: [],
    latencyBatch: 1,
    machine: '',
    dataset: '',
    command: '',
    createdAt: '',
    ...r,
  } as RunResults;
}
