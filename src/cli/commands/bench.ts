/**
 * `reprune bench <name> [args...]`: the experiments. Each bench registers itself with one line
 * (`registerBench(name, summary, loader)`); its module is imported only when it runs and parses its own
 * arguments (everything after the name), so benches never share or clash on flags.
 */
import { Command } from 'commander';
import * as os from 'node:os';
import * as path from 'node:path';
import { ReproError } from '../../util/errors.js';
import { numberFlag, numberListFlag, splitList } from '../../util/numbers.js';
import { claimOutputs, ensureOutputFolder, type OutputSpec } from '../../util/output-guard.js';
import type { TileTransBenchOptions } from '../../bench/tiletrans.js';

export type BenchFn = (args: string[]) => Promise<void>;

export interface BenchEntry {
  summary: string;
  load: () => Promise<BenchFn>;
}

const benches = new Map<string, BenchEntry>();

export function registerBench(name: string, summary: string, load: () => Promise<BenchFn>): void {
  benches.set(name, { summary, load });
}

export function benchNames(): string[] {
  return [...benches.keys()];
}

// One line per bench (`bench all` runs them in this order: the baselines first, so no later bench trains its own):
registerBench(
  'baselines',
  'train (or reuse) and cache every zoo model the accuracy benches start from; test accuracy of each',
  async () => (await import('../../bench/baselines.js')).runBench,
);
registerBench(
  'tiletrans',
  'tile pruning with/without TileTrans: accuracy and lowered-Gemm latency',
  async () => tileTransBench,
);
registerBench(
  'unify',
  'ADMM weight unification vs one-shot at equal epochs',
  async () => (await import('../../bench/unify.js')).runBench,
);
registerBench(
  'reap',
  'REAP selection scaling + L1/NU/REAP/PRO/SRN accuracy at 30/50/70 % MAC reduction',
  async () => (await import('../../bench/reap.js')).runBench,
);
registerBench(
  'tedepr',
  'TEDEPR vs dense pruning-at-init scores; --quick for a short run',
  async () => (await import('../../bench/tedepr.js')).runBench,
);
registerBench(
  'lop',
  'L1 channel pruning + vanilla / SP-KD / LOP / LOP+SP-KD fine-tuning at 50/70/90 %',
  async () => (await import('../../bench/lop.js')).runBench,
);

registerBench(
  'data',
  'image folders: PNG/JPEG decode + transform images/s vs .npy, and a 224×224 fine-tuning epoch',
  async () => (await import('../../bench/data.js')).runBench,
);

registerBench(
  'speed',
  'ORT latency of every method’s output vs the dense model (alternating runs): speedup, MAC reduction, efficiency',
  async () => (await import('../../bench/speed.js')).runBench,
);

registerBench(
  'coverage',
  'every method on PyTorch exports (torchvision, FPN, U-Net), BN folded/kept: ✔ or the reason',
  async () => (await import('../../bench/coverage.js')).runBench,
);

registerBench(
  'transformer',
  'zoo ViT without retraining: L1 vs REAP on MLP neurons (30/50 %) and heads (25 %), 2:4 + permutation; --quick',
  async () => (await import('../../bench/transformer.js')).runBench,
);

registerBench(
  'scale',
  'every pass at real size (ResNet-18/50, VGG-16, ViT-B-sized stack): time, peak RSS, exponent vs params',
  async () => (await import('../../bench/scale.js')).runBench,
);

registerBench(
  'all',
  'every bench above in turn (extra args go to each), then docs/BENCHMARKS.md; --only/--skip a,b, --resume, --list',
  async () => (args) => runAll(args),
);

/** `bench all`'s own flags, taken out of the arguments every bench gets. */
export function allFlags(args: string[]) {
  const rest = [...args];
  const value = (flag: string): string | undefined => {
    const i = rest.lastIndexOf(flag);
    if (i < 0) return undefined;
    const v = rest[i + 1];
    if (v === undefined || v.startsWith('--'))
      throw new ReproError(
        `bench all ${flag}: give a value, e.g. ${flag} ${flag === '--out' ? 'docs/bench' : 'lop,tedepr'}`,
      );
    rest.splice(i, 2);
    return v;
  };
  const present = (flag: string): boolean => {
    const i = rest.indexOf(flag);
    if (i >= 0) rest.splice(i, 1);
    return i >= 0;
  };
  const out = value('--out') ?? 'docs/bench';
  const only = splitList(value('--only'));
  const skip = splitList(value('--skip'));
  const resume = present('--resume');
  const list = present('--list');
  return { out, only, skip, resume, list, args: [...rest, '--out', out] };
}

/**
 * Run the planned benches (src/bench/all-plan.ts) with `--out <dir>` (default docs/bench), keep going past
 * failures, record each finished one for --resume, then assemble the page from every bench's files.
 */
export async function runAll(args: string[], registry = benches): Promise<void> {
  const f = allFlags(args);
  const { planAll, planText, clearRecord, writeRecord } = await import('../../bench/all-plan.js');
  const names = [...registry.keys()].filter((n) => n !== 'all');
  const steps = planAll({ benches: names, only: f.only, skip: f.skip, resume: f.resume, args: f.args, out: f.out });
  process.stderr.write(planText(steps));
  if (f.list) return;
  const todo = steps.filter((s) => !s.skip);
  // The page is not claimed: it is rebuilt from the folder's files at the end (atomically), so two `bench all
  // --only` runs side by side (accuracy benches at --threads 1) may both rebuild it; the later one holds both.
  claimBenchOutputs(
    todo.map((s) => s.name),
    f.args,
  );
  const failed: string[] = [];
  for (const step of todo) {
    process.stderr.write(`== reprune bench ${step.name} ${step.args.join(' ')}\n`);
    clearRecord(f.out, step.name);
    const started = new Date();
    const load0 = os.loadavg()[0]!;
    try {
      await (await registry.get(step.name)!.load())(step.args);
      writeRecord(f.out, step.name, step.args, started, load0);
    } catch (e) {
      failed.push(`${step.name}: ${(e as Error).message}`);
      process.stderr.write(`bench ${step.name} failed: ${(e as Error).message}\n`);
    }
  }
  const { assembleBenchmarks, pageSections } = await import('../../bench/benchmarks-doc.js');
  const { writeFileAtomic } = await import('../../util/fs.js');
  writeFileAtomic(path.join(path.dirname(f.out), 'BENCHMARKS.md'), assembleBenchmarks(f.out, pageSections(names)));
  if (failed.length) throw new ReproError(`bench all: ${failed.length} bench(es) failed: ${failed.join('; ')}`);
}

/**
 * The files a bench writes in its --out folder when they are not `<name>.md` / `<name>.json` (the convention), and
 * its default folder (undefined: none).
 */
const BENCH_FILES: Record<string, { out?: string; stems: (args: string[]) => string[] }> = {
  tiletrans: { out: 'docs/bench', stems: () => ['tiletrans'] },
  unify: {
    out: 'docs/bench',
    // Extra settings never overwrite the standard table.
    stems: (a) => [lastValue(a, '--stem') ?? (a.includes('--settings') ? 'unify-extra' : 'unify')],
  },
  reap: { stems: () => ['reap'] },
  tedepr: { stems: () => ['tedepr'] },
  lop: { out: 'docs/bench', stems: () => ['lop'] },
  speed: { stems: (a) => [lastValue(a, '--stem') ?? 'speed'] },
};

/** The value of the last `flag <value>` in `args`. */
const lastValue = (args: string[], flag: string) => {
  const i = args.lastIndexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * Claim a bench's result files before it runs for minutes (util/output-guard.ts): the --out folder must take new
 * files and no other process may be writing them. A bench's results are regenerated by design, so they replace the
 * files of an earlier run without --force.
 */
function claimBenchOutputs(names: string[], args: string[]): void {
  const filesOf = (n: string) => BENCH_FILES[n] ?? { stems: () => [n] };
  const out = lastValue(args, '--out') ?? (names.length === 1 ? filesOf(names[0]!).out : undefined);
  const files: OutputSpec[] = [];
  if (out) {
    for (const n of names)
      for (const stem of filesOf(n).stems(args))
        for (const ext of ['md', 'json'])
          files.push({ path: path.join(out, `${stem}.${ext}`), flag: '--out', replace: true });
    ensureOutputFolder(out, `--out ${out}`);
  }
  const jsonOut = lastValue(args, '--json-out');
  if (jsonOut) files.push({ path: jsonOut, flag: '--json-out', replace: true, keep: true });
  claimOutputs(files);
}

export function register(program: Command): void {
  program
    .command('bench')
    .description(`run an experiment: ${benchNames().join(', ')} (reprune bench <name> --help)`)
    .argument('<name>', 'which bench')
    .argument('[args...]', 'arguments of that bench')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (name: string, args: string[]) => {
      const b = benches.get(name);
      if (!b)
        throw new ReproError(
          `bench '${name}' is unknown; available: ${[...benches.entries()].map(([k, v]) => `${k} (${v.summary})`).join('; ')}`,
        );
      if (name !== 'all') claimBenchOutputs([name], args);
      await (await b.load())(args);
    });
}

interface TileTransFlags {
  out: string;
  quick?: boolean;
  json?: boolean;
  archs?: string;
  sparsities?: string;
  tiles?: string;
  evalLimit?: string;
  trainEpochs?: string;
  finetuneEpochs?: string;
  speed?: boolean;
  accuracy?: boolean;
}

/** The TileTrans bench's own flags. */
async function tileTransBench(args: string[]): Promise<void> {
  const { runTileTransBench } = await import('../../bench/tiletrans.js');
  const f = parseTileTransFlags(args);
  const { markdown, ...rest } = await runTileTransBench(tileTransOptions(f, args));
  process.stdout.write(f.json ? `${JSON.stringify(rest)}\n` : markdown);
}

function parseTileTransFlags(args: string[]): TileTransFlags {
  return new Command('reprune bench tiletrans')
    .option('--out <dir>', 'folder for the Markdown table and JSON', 'docs/bench')
    .option('--quick', 'a small, fast configuration')
    .option('--json', 'print JSON instead of Markdown')
    .option('--archs <list>', 'comma-separated zoo architectures')
    .option('--sparsities <list>', 'comma-separated sparsities')
    .option('--tiles <list>', 'comma-separated tile shapes')
    .option('--eval-limit <n>', 'test samples per evaluation')
    .option('--train-epochs <n>', 'epochs when a model has to be trained')
    .option('--finetune-epochs <n>', 'masked fine-tune epochs after pruning (0 = none)')
    .option('--no-speed', 'skip the latency part')
    .option('--no-accuracy', 'skip the accuracy part')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<TileTransFlags>();
}

/** Non-negative whole-number flag (undefined when absent; '' and '0x10' are errors). */
const count = (flag: string, s: string | undefined) => numberFlag(flag, s, { integer: true, min: 0 });

/** Bench options from the flags; `--quick` picks a small configuration where a flag is not given. */
function tileTransOptions(f: TileTransFlags, args: string[]): TileTransBenchOptions {
  return {
    archs: splitList(f.archs) ?? (f.quick ? ['mlp', 'lenet5'] : undefined),
    sparsities: numberListFlag('--sparsities', f.sparsities, { min: 0, max: 1 }) ?? (f.quick ? [0.5, 0.8] : undefined),
    tiles: splitList(f.tiles) ?? (f.quick ? ['128x1'] : undefined),
    evalLimit: numberFlag('--eval-limit', f.evalLimit, { integer: true, min: 1 }) ?? (f.quick ? 1000 : undefined),
    trainEpochs: count('--train-epochs', f.trainEpochs),
    finetuneEpochs: count('--finetune-epochs', f.finetuneEpochs),
    speed: f.speed,
    accuracy: f.accuracy,
    outDir: f.out,
    command: `reprune bench tiletrans ${args.join(' ')}`.trim(),
    log: (s) => process.stderr.write(`${s}\n`),
  };
}
