/**
 * `reprune eval <model.onnx> --data <mnist|fashion-mnist|DIR>`: top-1 accuracy, mean cross-entropy,
 * sample count and latency through ONNX Runtime. With --json only the JSON object goes to stdout.
 */
import type { Command } from 'commander';
import { loadDataFor } from '../../api/data.js';
import type { Normalize } from '../../data/dataset.js';
import type { Split } from '../../data/sources.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { evaluate } from '../../runtime/evaluate.js';
import { ReproError } from '../../util/errors.js';
import { oneLine, safeJson } from '../../util/text.js';
import { parseDecimal } from '../../util/numbers.js';
import { parseIntFlag } from '../flags.js';
import { addDataFlags, type DataFlags, imageOptionsOf } from '../data-flags.js';
import { checkLabels, modelClasses, splitName } from '../labels.js';
import { addInputShapeOption, type InputShapeFlags, prepareLoaded } from '../model-input.js';

export interface EvalOptions extends DataFlags, InputShapeFlags {
  data: string;
  split: string;
  limit?: number;
  batch?: number;
  json?: boolean;
}

/** "MEAN,STD" → {mean, std}; std must be positive. */
export function parseNormalize(v: string): Normalize {
  const parts = v.split(',').map((s) => s.trim());
  const [mean, std] = parts.map((p) => parseDecimal(p) ?? Number.NaN);
  if (
    parts.length !== 2 ||
    parts.some((p) => p === '') ||
    !Number.isFinite(mean) ||
    !Number.isFinite(std) ||
    !(std! > 0)
  ) {
    throw new ReproError(
      `--normalize ${v}: expected MEAN,STD with a finite mean and a positive std, e.g. --normalize 0.1307,0.3081`,
    );
  }
  return { mean: mean!, std: std! };
}

function parseSplit(v: string): Split {
  if (v !== 'train' && v !== 'test') throw new ReproError(`--split ${v}: must be 'train' or 'test'`);
  return v;
}

export async function runEval(file: string, o: EvalOptions) {
  const split = parseSplit(o.split);
  const checked = loadModelChecked(file);
  const ds = await loadDataFor(checked, o.data, split, {
    limit: o.limit,
    normalize: o.normalize,
    image: imageOptionsOf(o),
  });
  const { graph: g } = await prepareLoaded(file, checked, o, ds.shape);
  const classes = modelClasses(g);
  if (classes) checkLabels(ds, classes, `${file} on ${splitName(o.data, split)}`);
  const r = await evaluate(g, ds, { batchSize: o.batch }).catch((e: unknown) => {
    // Model/data mismatches (sample shape, class count) are reported by the runtime without file names: add them.
    throw e instanceof ReproError ? new ReproError(`${file} on --data ${o.data}: ${e.message}`) : e;
  });
  // A model with a fixed batch dim runs in batches of that size whatever --batch says; without --batch, the
  // memory-bounded default.
  const batchSize = r.batchSize;
  const batches = Math.ceil(r.samples / batchSize);
  return {
    model: file,
    data: o.data,
    split,
    accuracy: r.accuracy,
    loss: r.loss,
    samples: r.samples,
    batchSize,
    msPerBatch: r.msPerBatch,
    msPerSample: r.samples ? (r.msPerBatch * batches) / r.samples : 0,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('top-1 accuracy, mean loss and latency of an ONNX classifier on a dataset')
    .argument('<model>', 'ONNX model file')
    .requiredOption(
      '--data <spec>',
      "dataset: 'mnist', 'fashion-mnist', a directory of IDX/.npy files or of PNG/JPEG class folders, or a CSV list",
    )
    .option('--split <split>', 'train or test', 'test')
    .option('--limit <n>', 'use only the first N samples', parseIntFlag('--limit', 1))
    .option(
      '--batch <b>',
      'samples per ORT run (default: up to 256, fewer where a batch would exceed 1 GiB)',
      parseIntFlag('--batch', 1),
    )
    .option('--json', 'print the result as JSON on stdout');
  addInputShapeOption(addDataFlags(cmd)).action(async (file: string, opts: EvalOptions) => {
    const r = await runEval(file, opts);
    if (opts.json) {
      process.stdout.write(`${safeJson(r)}\n`);
      return;
    }
    process.stdout.write(
      `${oneLine(file)} on ${oneLine(r.data)} (${r.split}, ${r.samples} samples): accuracy ${(100 * r.accuracy).toFixed(2)}%, ` +
        `loss ${r.loss.toFixed(4)}, ${r.msPerBatch.toFixed(2)} ms/batch (${(r.msPerSample * 1000).toFixed(1)} µs/sample)\n`,
    );
  });
}
