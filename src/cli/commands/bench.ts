/**
 * `reprune bench <name> [args...]`: the experiments. Each bench registers itself with one line
 * (`registerBench(name, summary, loader)`); its module is imported only when it runs and parses its own
 * arguments (everything after the name), so benches never share or clash on flags.
 */
import { Command } from 'commander';
import * as path from 'node:path';
import { ReproError } from '../../util/errors.js';
import type { TileTransBenchOptions } from '../../bench/tiletrans.js';

export type BenchFn = (args: string[]) => Promise<void>;

interface BenchEntry {
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

// One line per bench:
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

registerBench('all', 'every bench above in turn (extra args go to each), then docs/BENCHMARKS.md', async () => runAll);

/** Run every bench with `--out <dir>` (default docs/bench), keep going past failures, then assemble the page. */
async function runAll(args: string[]): Promise<void> {
  const outIdx = args.indexOf('--out');
  const out = outIdx >= 0 ? args[outIdx + 1]! : 'docs/bench';
  const rest = outIdx >= 0 ? [...args.slice(0, outIdx), ...args.slice(outIdx + 2)] : args;
  const names = benchNames().filter((n) => n !== 'all');
  const failed: string[] = [];
  for (const name of names) {
    process.stderr.write(`== reprune bench ${name}\n`);
    try {
      await (await benches.get(name)!.load())([...rest, '--out', out]);
    } catch (e) {
      failed.push(`${name}: ${(e as Error).message}`);
      process.stderr.write(`bench ${name} failed: ${(e as Error).message}\n`);
    }
  }
  const { assembleBenchmarks } = await import('../../bench/benchmarks-doc.js');
  const { writeFileAtomic } = await import('../../util/fs.js');
  writeFileAtomic(path.join(path.dirname(out), 'BENCHMARKS.md'), assembleBenchmarks(out, names));
  if (failed.length) throw new ReproError(`bench all: ${failed.length} bench(es) failed: ${failed.join('; ')}`);
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

/** Comma-separated list flag (undefined when absent, so the bench's default applies). */
const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

/** Non-negative number flag (undefined when absent). */
const num = (flag: string, s: string | undefined) => {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new ReproError(`${flag} ${s}: expected a non-negative number`);
  return n;
};

/** Bench options from the flags; `--quick` picks a small configuration where a flag is not given. */
function tileTransOptions(f: TileTransFlags, args: string[]): TileTransBenchOptions {
  return {
    archs: list(f.archs) ?? (f.quick ? ['mlp', 'lenet5'] : undefined),
    sparsities: list(f.sparsities)?.map((s) => num('--sparsities', s)!) ?? (f.quick ? [0.5, 0.8] : undefined),
    tiles: list(f.tiles) ?? (f.quick ? ['128x1'] : undefined),
    evalLimit: num('--eval-limit', f.evalLimit) ?? (f.quick ? 1000 : undefined),
    trainEpochs: num('--train-epochs', f.trainEpochs),
    finetuneEpochs: num('--finetune-epochs', f.finetuneEpochs),
    speed: f.speed,
    accuracy: f.accuracy,
    outDir: f.out,
    command: `reprune bench tiletrans ${args.join(' ')}`.trim(),
    log: (s) => process.stderr.write(`${s}\n`),
  };
}
