/**
 * `reprune bench all`'s plan. The whole suite takes hours on two cores, longer than one sitting, so it runs in
 * pieces: every bench that finishes leaves a record in `<out>/.bench-all/<name>.json` (its arguments, when, how long,
 * the load average around it), and `--resume` skips a bench whose record has the same arguments. `--only` and
 * `--skip` pick benches by name; `--list` prints the plan without running anything.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';

/** What a finished bench leaves behind. */
export interface BenchRecord {
  bench: string;
  /** The arguments the bench ran with (the --out folder included). */
  args: string[];
  started: string;
  finished: string;
  seconds: number;
  /** 1-minute load average at the start and the end: timing benches must run alone. */
  load: [number, number];
}

/** One bench of the plan: its last finished run (if any), and whether --resume skips it. */
export interface PlanStep {
  name: string;
  args: string[];
  last?: BenchRecord;
  /** --resume and the last run had these arguments. */
  skip: boolean;
}

export interface PlanOptions {
  /** Every bench, in running order. */
  benches: string[];
  only?: string[];
  skip?: string[];
  resume: boolean;
  /** The arguments every bench gets (the --out folder included). */
  args: string[];
  out: string;
}

export const RECORD_DIR = '.bench-all';

export const recordPath = (out: string, name: string) => path.join(out, RECORD_DIR, `${name}.json`);

/** The record of a bench's last finished run, or undefined (none, or unreadable: then it runs again). */
export function readRecord(out: string, name: string): BenchRecord | undefined {
  const file = recordPath(out, name);
  if (!existsSync(file)) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as BenchRecord;
    const whole = r.bench === name && Array.isArray(r.args) && Array.isArray(r.load) && typeof r.seconds === 'number';
    return whole && typeof r.finished === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Forget a bench's record before it runs again, so a run that fails half-way is never taken as finished. */
export function clearRecord(out: string, name: string): void {
  rmSync(recordPath(out, name), { force: true });
}

/** Write the record of a bench that just finished. */
export function writeRecord(out: string, name: string, args: string[], started: Date, load0: number): BenchRecord {
  const finished = new Date();
  const rec: BenchRecord = {
    bench: name,
    args,
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    load: [round2(load0), round2(os.loadavg()[0]!)],
  };
  mkdirSync(path.join(out, RECORD_DIR), { recursive: true });
  writeFileAtomic(recordPath(out, name), `${JSON.stringify(rec, null, 1)}\n`);
  return rec;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The benches to run, in order, each with its last record (read once) and whether --resume skips it. */
export function planAll(o: PlanOptions): PlanStep[] {
  for (const [flag, names] of [
    ['--only', o.only],
    ['--skip', o.skip],
  ] as const)
    for (const n of names ?? [])
      if (!o.benches.includes(n))
        throw new ReproError(`bench all ${flag}: '${n}' is not a bench; available: ${o.benches.join(', ')}`);
  const picked = o.benches.filter((n) => (!o.only || o.only.includes(n)) && !o.skip?.includes(n));
  return picked.map((name) => {
    const last = readRecord(o.out, name);
    return { name, args: o.args, last, skip: o.resume && !!last && sameArgs(last.args, o.args) };
  });
}

/** The plan as text: what runs, what --resume skips, and how long each bench took last time. */
export function planText(steps: PlanStep[]): string {
  const lines = steps.map(({ name, args, last, skip }) => {
    const other = last && !sameArgs(last.args, args) ? ` with other arguments: ${last.args.join(' ')}` : '';
    const took = last
      ? `last finished ${last.finished.slice(0, 16).replace('T', ' ')} UTC in ${minutes(last.seconds)} (load ${last.load.join(' → ')})${other}`
      : 'no finished run recorded';
    return `  ${skip ? 'skip' : 'run '} ${name.padEnd(12)} ${took}`;
  });
  const todo = steps.filter((s) => !s.skip).length;
  return `bench all: ${todo} of ${steps.length} bench(es) to run, arguments: ${steps[0]?.args.join(' ') ?? ''}\n${lines.join('\n')}\n`;
}

const sameArgs = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const minutes = (s: number) => (s < 90 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);
