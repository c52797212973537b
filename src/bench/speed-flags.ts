/**
 * The options of `reprune bench speed` and the flags that set them; `--quick` picks a tiny configuration where a
 * flag is not given. Every flag is checked here, before minutes of timing.
 */
import { Command } from 'commander';
import { ReproError } from '../util/errors.js';
import { numberFlag, numberListFlag, splitList } from '../util/numbers.js';
import { SPEED_METHODS, type SpeedMethod } from './speed-variants.js';

export interface SpeedBenchOptions {
  models: string[];
  /** Input side in pixels for torchvision exports. */
  size: number;
  batches: number[];
  threads: number[];
  runs: number;
  warmup: number;
  methods: SpeedMethod[];
  targets: number[];
  sparsities: number[];
  roundTos: number[];
  /** Random calibration images for REAP. */
  calib: number;
  /** Time tile lowering on single layers too; `layersOnly` skips the models. */
  layers: boolean;
  layersOnly: boolean;
  /** Tiny layers for a smoke test. */
  quick: boolean;
  log: (s: string) => void;
}

export interface SpeedFlags {
  models?: string;
  size?: string;
  batches?: string;
  threadCounts?: string;
  runs?: string;
  methods?: string;
  targets?: string;
  sparsities?: string;
  roundTo?: string;
  calib?: string;
  quick?: boolean;
  layers?: boolean;
  layersOnly?: boolean;
  out?: string;
  stem?: string;
  json?: boolean;
}

export function parseSpeedFlags(args: string[]): SpeedFlags {
  return new Command('reprune bench speed')
    .option(
      '--models <list>',
      'torchvision builders, vit-tiny or zoo archs (default resnet18,resnet50,mobilenet_v2,vit-tiny)',
    )
    .option('--size <px>', 'input side of the torchvision exports, 64-224 (default 128)')
    .option('--batches <list>', 'batch sizes (default 1,32)')
    .option('--thread-counts <list>', 'ORT intra-op thread counts (default 1,2; --threads is the global ORT flag)')
    .option('--runs <n>', 'timed runs per side, median taken (default 20)')
    .option('--methods <list>', `method families (default all: ${SPEED_METHODS.join(',')})`)
    .option('--targets <list>', 'MAC reductions of channel pruning (default 0.3,0.5,0.7)')
    .option('--sparsities <list>', 'tile sparsities, lowered (default 0.5,0.75)')
    .option('--round-to <list>', 'round-to values compared with L1 at −50 % MACs (default 8,16)')
    .option('--calib <n>', 'random calibration images for REAP (default 64)')
    .option('--quick', 'smoke test: zoo resnet-small, batch 1 and 2, 1 thread, 3 runs, tiny layers')
    .option('--no-layers', 'skip tile lowering on single layers (1024² Gemm, 256-channel 1×1 / 3×3 convs)')
    .option('--layers-only', 'only the single-layer tile lowering part')
    .option('--out <dir>', 'write speed.md and speed.json here')
    .option('--stem <name>', 'file names in --out: <name>.md/.json (default speed; e.g. speed-resnet50 for one model)')
    .option('--json', 'print JSON instead of Markdown')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<SpeedFlags>();
}

function methodsFlag(s: string | undefined): SpeedMethod[] {
  const m = splitList(s) ?? [...SPEED_METHODS];
  const bad = m.find((x) => !(SPEED_METHODS as readonly string[]).includes(x));
  if (bad) throw new ReproError(`--methods: unknown method '${bad}'; the methods are ${SPEED_METHODS.join(', ')}`);
  return m as SpeedMethod[];
}

/** Options from the flags; `--quick` picks a tiny configuration where a flag is not given. */
export function speedOptions(f: SpeedFlags, log: (s: string) => void): SpeedBenchOptions {
  const q = f.quick;
  const ints = (flag: string, s: string | undefined) => numberListFlag(flag, s, { integer: true, min: 1 });
  const fracs = (flag: string, s: string | undefined) => numberListFlag(flag, s, { min: 0.01, max: 0.95 });
  return {
    models: splitList(f.models) ?? (q ? ['resnet-small'] : ['resnet18', 'resnet50', 'mobilenet_v2', 'vit-tiny']),
    size: numberFlag('--size', f.size, { integer: true, min: 16, max: 1024 }) ?? 128,
    batches: ints('--batches', f.batches) ?? (q ? [1, 2] : [1, 32]),
    threads: ints('--thread-counts', f.threadCounts) ?? (q ? [1] : [1, 2]),
    runs: numberFlag('--runs', f.runs, { integer: true, min: 1 }) ?? (q ? 3 : 20),
    warmup: q ? 1 : 3,
    methods: methodsFlag(f.methods),
    targets: fracs('--targets', f.targets) ?? (q ? [0.5] : [0.3, 0.5, 0.7]),
    sparsities: fracs('--sparsities', f.sparsities) ?? (q ? [0.75] : [0.5, 0.75]),
    roundTos: numberListFlag('--round-to', f.roundTo, { integer: true, min: 0 }) ?? (q ? [8] : [8, 16]),
    calib: numberFlag('--calib', f.calib, { integer: true, min: 1 }) ?? (q ? 8 : 64),
    layers: f.layers !== false,
    layersOnly: !!f.layersOnly,
    quick: !!q,
    log,
  };
}
