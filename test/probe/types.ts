/** What a probe case is, the context the suite builds for all of them, and the common "must be refused" case. */
import type { SeededRng } from '../../src/util/random.js';
import { diffSnapshots, outputProblems, refusalProblems, type RunOptions, runCli, shown, snapshot } from './harness.js';

/** The classes of issue 21, in report order. */
export const CLASSES = {
  paths: 'paths and outputs (links, other names for inputs, concurrent writers)',
  checkpoints: 'checkpoints (kill between files, damaged side data)',
  special: 'special files (/dev/zero, named pipes, sockets, folders)',
  terminal: 'terminal injection (C0/C1 controls, bidi and other format characters)',
  labels: 'labels and classes',
  flags: 'numeric flags',
  late: 'late failures (read-only or full output folders, collisions, signals while writing)',
} as const;
export type ProbeClass = keyof typeof CLASSES;

/** Files every case may read (built once by the suite; never written by a case). */
export interface Shared {
  /** The untrained zoo mlp (10 classes). */
  model: string;
  /** A 64-sample IDX dataset (train and t10k), labels 0..9. */
  data: string;
  /** A 512-sample IDX dataset the checkpoint cases train on (long enough to be killed part-way). */
  ckData: string;
  /** A checkpoint of a finished 1-epoch run on `ckData` (`train ... --epochs 1 --resume` just writes the model). */
  ck1: string;
  /** The output of an uninterrupted 3-epoch run with a checkpoint: what a killed-and-resumed run must equal. */
  ref3: string;
  /** How long the reference run took (kills are timed as a fraction of it). */
  ref3Ms: number;
  /** A results JSON as `reprune report` reads it. */
  results: string;
}

export interface Ctx {
  shared: Shared;
  rng: SeededRng;
}

export interface Verdict {
  problems: string[];
  /** Why the case could not run here (e.g. needs root for a full folder); counted apart from passes. */
  skipped?: string;
}

export interface ProbeCase {
  cls: ProbeClass;
  name: string;
  /** Run in a fresh, empty folder `dir` (the working directory of the CLI too). */
  run(dir: string): Promise<Verdict>;
}

export interface Setup {
  args: string[];
  /** Strings the error line must contain (the flag of the output at fault, the file, ...). */
  mention?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
  /** More folders whose contents must not change (besides the case folder). */
  watch?: string[];
  /** Undo what the setup did outside plain files (mounts, sockets) after the run. */
  release?: () => void | Promise<void>;
  skip?: string;
  run?: Partial<RunOptions>;
}

/** A case the CLI must refuse: exit 2, one clean `error:` line, and the case folder exactly as before. */
export function refuse(cls: ProbeClass, name: string, setup: (dir: string) => Setup | Promise<Setup>): ProbeCase {
  return {
    cls,
    name,
    async run(dir) {
      const s = await setup(dir);
      if (s.skip) return { problems: [], skipped: s.skip };
      const watched = [dir, ...(s.watch ?? [])];
      const before = watched.map(snapshot);
      try {
        const r = await runCli(s.args, { cwd: dir, timeoutMs: s.timeoutMs, env: s.env, ...s.run });
        const problems = refusalProblems(r, s.mention);
        watched.forEach((d, i) => {
          problems.push(...diffSnapshots(before[i]!, snapshot(d)));
        });
        return { problems: problems.length ? [...problems, shown(r)] : [] };
      } finally {
        await s.release?.();
      }
    },
  };
}

/**
 * A case with two acceptable outcomes: refused cleanly with nothing changed, or run to success (exit 0, clean
 * output) changing only the entries `allowed` names, e.g. the outputs the command was asked to write.
 */
export function refuseOrSucceed(
  cls: ProbeClass,
  name: string,
  allowed: string[],
  setup: (dir: string) => Setup | Promise<Setup>,
): ProbeCase {
  return {
    cls,
    name,
    async run(dir) {
      const s = await setup(dir);
      if (s.skip) return { problems: [], skipped: s.skip };
      const before = snapshot(dir);
      try {
        const r = await runCli(s.args, { cwd: dir, timeoutMs: s.timeoutMs, env: s.env, ...s.run });
        const ok = r.code === 0;
        const problems = ok ? outputProblems(r) : refusalProblems(r, s.mention);
        problems.push(...diffSnapshots(before, snapshot(dir), ok ? allowed : []));
        return { problems: problems.length ? [...problems, shown(r)] : [] };
      } finally {
        await s.release?.();
      }
    },
  };
}

/** `k` distinct picks from `items`, in seeded order. */
export function pick<T>(rng: SeededRng, items: readonly T[], k: number): T[] {
  return rng.shuffle([...items]).slice(0, k);
}

/** A seeded file name such as `model-k3f9.onnx`. */
export function fileName(rng: SeededRng, stem: string, ext: string): string {
  return `${stem}-${rng.nextU32().toString(36).slice(0, 4)}${ext}`;
}
