/**
 * `npm run bench:train`: training samples/s of lenet5 (batch 128) and vgg-small (batch 64) on MNIST with reprune,
 * next to PyTorch (CPU, same thread count) training the identical architecture with the same optimizer.
 * Each measurement runs in its own process so peak RSS is per run. Samples/s is the mean over the epochs after
 * the first (the first one pays ORT's/PyTorch's warm-up). Usage: npm run bench:train -- [--threads N] [--samples N] [--rounds R]
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';
import { attrFloat, attrInt, attrInts } from '../ir/attrs.js';
import { buildModel } from '../models/index.js';
import { setRuntimeDefaults } from '../runtime/session.js';
import { trainModel } from '../train/trainer.js';
import { torchPython } from './torch.js';

interface Case {
  arch: 'lenet5' | 'vgg-small';
  batch: number;
  samples: number;
  lr: number;
}
interface Result {
  samplesPerSecond: number;
  peakRssMb: number;
}

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg('--threads', os.availableParallelism());
const EPOCHS = 3;

/** The sequential layer list PyTorch rebuilds (bench/train_torch.py). */
function layers(g: Graph): object[] {
  return g.nodes.map((n) => {
    const w = g.initializers.get(n.inputs[1] ?? '');
    switch (n.opType) {
      case 'Conv':
        return {
          type: 'conv',
          cin: w!.dims[1]! * attrInt(n.attrs, 'group', 1),
          cout: w!.dims[0],
          k: w!.dims[2],
          stride: attrInts(n.attrs, 'strides', [1, 1])[0],
          pad: attrInts(n.attrs, 'pads', [0, 0, 0, 0])[0],
          group: attrInt(n.attrs, 'group', 1),
          bias: !!n.inputs[2],
        };
      case 'BatchNormalization':
        return {
          type: 'bn',
          c: w!.dims[0],
          eps: attrFloat(n.attrs, 'epsilon', 1e-5),
          momentum: 1 - attrFloat(n.attrs, 'momentum', 0.9),
        };
      case 'Relu':
        return { type: 'relu' };
      case 'MaxPool':
        return {
          type: 'maxpool',
          k: attrInts(n.attrs, 'kernel_shape', [2, 2])[0],
          stride: attrInts(n.attrs, 'strides', [2, 2])[0],
        };
      case 'Flatten':
        return { type: 'flatten' };
      case 'Gemm':
        return { type: 'linear', fin: w!.dims[1], fout: w!.dims[0], bias: !!n.inputs[2] };
      case 'GlobalAveragePool':
        return { type: 'gap' };
      default:
        throw new Error(`bench: ${n.opType} has no PyTorch layer mapping (sequential models only)`);
    }
  });
}

async function worker(c: Case): Promise<void> {
  setRuntimeDefaults({ threads });
  const ds = loadDataset('mnist', 'train', { limit: c.samples });
  const res = await trainModel(buildModel(c.arch), ds, {
    epochs: EPOCHS,
    batchSize: c.batch,
    lr: c.lr,
    optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
  });
  const later = res.history.slice(1);
  const sps = later.reduce((a, h) => a + h.samplesPerSecond, 0) / later.length;
  process.stdout.write(JSON.stringify({ samplesPerSecond: sps, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  const samples = arg('--samples', 0);
  const cases: Case[] = [
    { arch: 'lenet5', batch: 128, samples: samples || 128 * 60, lr: 0.05 },
    { arch: 'vgg-small', batch: 64, samples: samples || 64 * 25, lr: 0.05 },
  ];
  const w = process.argv.indexOf('--worker');
  if (w >= 0) return worker(cases.find((c) => c.arch === process.argv[w + 1])!);
  const python = torchPython();
  if (!python)
    console.log(
      'PyTorch not found (python3 -c "import torch" failed): install Debian python3-torch to compare; reporting reprune only.',
    );
  const rounds = arg('--rounds', 3);
  if (!(Number.isInteger(rounds) && rounds >= 1)) {
    console.error(`--rounds ${rounds}: expected a positive integer`);
    process.exitCode = 2;
    return;
  }
  console.log(
    `threads ${threads}, ${EPOCHS} epochs per run (first excluded), SGD momentum 0.9, ${rounds} alternating rounds (reprune, PyTorch, reprune, …), best round of each; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`,
  );
  for (const c of cases) console.log(benchCase(c, rounds, python));
}

/** The architecture and training settings handed to bench/train_torch.py, so PyTorch trains the identical model. */
function torchConfig(c: Case) {
  return {
    threads,
    batch: c.batch,
    samples: c.samples,
    epochs: EPOCHS,
    lr: c.lr,
    classes: 10,
    inputShape: [1, 28, 28],
    layers: layers(buildModel(c.arch)),
  };
}

/** Runs `rounds` alternating rounds of one case (each side in its own process) and returns the report line. */
function benchCase(c: Case, rounds: number, python: string | undefined): string {
  const self = fileURLToPath(import.meta.url);
  const cfg = torchConfig(c);
  const runOurs = (): Result =>
    JSON.parse(
      execFileSync(
        process.execPath,
        // From the sources (tsx) or from the built package (dist/), whichever this process runs.
        [
          ...(self.endsWith('.ts') ? ['--import', 'tsx'] : []),
          self,
          '--worker',
          c.arch,
          '--threads',
          String(threads),
          '--samples',
          String(c.samples),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ),
    );
  const runTorch = (): Result & { torch: string } =>
    JSON.parse(
      execFileSync(
        python!,
        [fileURLToPath(new URL('../../bench/train_torch.py', import.meta.url)), JSON.stringify(cfg)],
        {
          encoding: 'utf8',
        },
      ),
    );
  // Alternating rounds and keeping each side's best: bursts of other load on the machine then hit both alike.
  const ours: Result[] = [];
  const theirs: (Result & { torch: string })[] = [];
  for (let r = 0; r < rounds; r++) {
    ours.push(runOurs());
    if (python) theirs.push(runTorch());
  }
  return reportLine(c, ours, python ? theirs : undefined);
}

/** Best round of each side, with every round's pair when PyTorch ran. */
function reportLine(c: Case, ours: Result[], theirs: (Result & { torch: string })[] | undefined): string {
  const best = <T extends Result>(rs: T[]) => rs.reduce((a, b) => (b.samplesPerSecond > a.samplesPerSecond ? b : a));
  const o = best(ours);
  let line = `${c.arch.padEnd(10)} batch ${String(c.batch).padStart(3)}: reprune ${o.samplesPerSecond.toFixed(0).padStart(6)} samples/s (peak RSS ${o.peakRssMb.toFixed(0)} MB)`;
  if (theirs) {
    const t = best(theirs);
    const perRound = ours
      .map((x, i) => `${x.samplesPerSecond.toFixed(0)}/${theirs[i]!.samplesPerSecond.toFixed(0)}`)
      .join(', ');
    line += ` | PyTorch ${t.torch} ${t.samplesPerSecond.toFixed(0).padStart(6)} samples/s (peak RSS ${t.peakRssMb.toFixed(0)} MB) | ratio ${(o.samplesPerSecond / t.samplesPerSecond).toFixed(2)}× (rounds, reprune/PyTorch samples/s: ${perRound})`;
  }
  return line;
}

await main();
