/**
 * `reprune bench baselines [--archs a,b] [--epochs 10] [--quick] [--cache-dir dir] [--out docs/bench]`
 *
 * The trained dense models every accuracy bench starts from: each zoo architecture trained by reprune on its bench
 * dataset (models/trained.ts: `BENCH_DATA`, the recipe of train/recipes.ts, seed 0, the full training set) and cached
 * in the model cache, where the LOP, REAP, TileTrans, unification and transformer benches find them. A cached model
 * is reused, not retrained. Each is evaluated on its whole test set; writes `<out>/baselines.md` and `.json`.
 * It runs first in `reprune bench all`, so the benches after it never train a model of their own.
 * --quick: a smoke run (mlp only, 1 epoch on 8,192 images, 500 test images).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { modelMetrics } from '../analysis/metrics.js';
import { loadDataset } from '../data/sources.js';
import { BASELINE_EPOCHS, BENCH_DATA, trainedModel } from '../models/trained.js';
import { evaluate } from '../runtime/evaluate.js';
import { runtimeDefaults } from '../runtime/session.js';
import { ARCH_RECIPES } from '../train/recipes.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { numberFlag, splitList } from '../util/numbers.js';

export interface BaselineRow {
  arch: string;
  data: string;
  epochs: number;
  /** Training samples when not the full set (quick runs). */
  limit?: number;
  file: string;
  /** Seconds spent training in this run; null when the cached model was reused. */
  trainSeconds: number | null;
  accuracy: number;
  testImages: number;
  params: number;
  macs: number;
}

export interface BaselineOptions {
  archs: string[];
  epochs: number;
  limit?: number;
  testLimit?: number;
  cacheDir?: string;
  log?: (line: string) => void;
}

/** Every architecture's cached (or newly trained) baseline with its test accuracy. */
export async function baselineRows(o: BaselineOptions): Promise<BaselineRow[]> {
  const rows: BaselineRow[] = [];
  for (const arch of o.archs) {
    const data = BENCH_DATA[arch];
    if (!data)
      throw new ReproError(
        `--archs: '${arch}' has no bench dataset; choose from ${Object.keys(BENCH_DATA).join(', ')}`,
      );
    const t0 = performance.now();
    const m = await trainedModel(arch, { epochs: o.epochs, limit: o.limit, cacheDir: o.cacheDir, log: o.log });
    const trainSeconds = m.trained ? (performance.now() - t0) / 1000 : null;
    const test = loadDataset(data, 'test', { limit: o.testLimit });
    const accuracy = (await evaluate(m.graph, test)).accuracy;
    const { params, macs } = modelMetrics(m.graph).totals;
    o.log?.(
      `${arch}: ${(100 * accuracy).toFixed(2)} % on ${test.count} ${data} test images (${path.basename(m.file)})`,
    );
    rows.push({
      arch,
      data,
      epochs: o.epochs,
      limit: o.limit,
      file: path.basename(m.file),
      trainSeconds,
      accuracy,
      testImages: test.count,
      params,
      macs,
    });
  }
  return rows;
}

function recipeText(arch: string): string {
  const r = ARCH_RECIPES[arch] ?? ARCH_RECIPES.lenet5!;
  return `${r.optimizer}${r.momentum ? ` m ${r.momentum}` : ''}, lr ${r.lr} ${r.schedule}, batch ${r.batch}, wd ${r.weightDecay}`;
}

export function baselinesTable(rows: BaselineRow[], command: string, threads: number): string {
  const lines = [
    '# Trained baselines (issue 20)',
    '',
    `Command: \`${command}\``,
    '',
    'The dense models every accuracy bench starts from, trained by reprune from seed 0 on the whole training set ' +
      'unless a limit is shown, cached in `.cache/models` (or `REPRUNE_MODEL_CACHE`) and reused by the LOP, REAP, ' +
      'TileTrans, unification and transformer benches. Accuracy: top-1 on the test set. Training time is shown ' +
      `when this run trained the model (${threads} ONNX Runtime thread(s); other jobs may have shared the cores, so ` +
      'it is not a speed measurement); "cached" when it reused one.',
    '',
    '| arch | data | epochs | recipe | test accuracy | params | MACs/sample | cache file | training |',
    '|---|---|---:|---|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const epochs = `${r.epochs}${r.limit ? ` (${r.limit} samples)` : ''}`;
    const acc = `${(100 * r.accuracy).toFixed(2)} % of ${r.testImages.toLocaleString('en-US')}`;
    const train = r.trainSeconds === null ? 'cached' : `${r.trainSeconds.toFixed(0)} s`;
    lines.push(
      `| ${r.arch} | ${r.data} | ${epochs} | ${recipeText(r.arch)} | ${acc} | ${r.params.toLocaleString('en-US')} | ${r.macs.toLocaleString('en-US')} | \`${r.file}\` | ${train} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Flags {
  archs?: string;
  epochs: string;
  quick?: boolean;
  cacheDir?: string;
  out: string;
}

export async function runBench(args: string[]): Promise<void> {
  const f = new Command('reprune bench baselines')
    .option('--archs <list>', `architectures (default ${Object.keys(BENCH_DATA).join(',')})`)
    .option('--epochs <n>', 'training epochs', String(BASELINE_EPOCHS))
    .option('--quick', 'a smoke run: mlp, 1 epoch on 8,192 images, 500 test images')
    .option('--cache-dir <dir>', 'trained-model cache (default .cache/models or REPRUNE_MODEL_CACHE)')
    .option('--out <dir>', 'where to write baselines.md/json', 'docs/bench')
    .exitOverride()
    .parse(args, { from: 'user' })
    .opts<Flags>();
  const quick = !!f.quick;
  const rows = await baselineRows({
    archs: splitList(f.archs) ?? (quick ? ['mlp'] : Object.keys(BENCH_DATA)),
    epochs: quick ? 1 : numberFlag('--epochs', f.epochs, { integer: true, min: 1 })!,
    limit: quick ? 8192 : undefined,
    testLimit: quick ? 500 : undefined,
    cacheDir: f.cacheDir,
    log: (s) => process.stderr.write(`${s}\n`),
  });
  const md = baselinesTable(rows, `reprune bench baselines ${args.join(' ')}`.trim(), runtimeDefaults().threads);
  mkdirSync(f.out, { recursive: true });
  writeFileAtomic(path.join(f.out, 'baselines.md'), md);
  writeFileAtomic(path.join(f.out, 'baselines.json'), `${JSON.stringify({ rows }, null, 1)}\n`);
  process.stdout.write(md);
}
