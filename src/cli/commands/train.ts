/**
 * `reprune train --arch <zoo arch> --data <mnist|fashion-mnist|DIR> --epochs N -o model.onnx`: train a zoo
 * model from its seeded init, evaluating on the test split after every epoch.
 */
import type { Command } from 'commander';
import { loadDataFor } from '../../api/data.js';
import { buildModel, isZooArch, ZOO_ARCHS } from '../../models/index.js';
import { saveOnnx } from '../../onnx/save.js';
import {
  addTrainFlags,
  ARCH_RECIPES,
  checkCheckpointPath,
  summary,
  trainOptionsFrom,
  type TrainFlags,
} from '../train-flags.js';
import { trainModel } from '../../train/trainer.js';
import { ReproError } from '../../util/errors.js';
import { addDataFlags, type DataFlags, imageOptionsOf } from '../data-flags.js';
import { checkOutputPath } from '../../util/fs.js';
import { oneLine, safeJson } from '../../util/text.js';
import { parseIntFlag } from '../flags.js';
import { checkLabels, MAX_CLASSES, splitName, zooClasses } from '../labels.js';
import { dataInputs } from '../run-pass.js';

interface Flags extends TrainFlags, DataFlags {
  arch: string;
  classes?: number;
}

export async function runTrain(f: Flags): Promise<Record<string, unknown>> {
  if (!isZooArch(f.arch)) throw new ReproError(`--arch ${f.arch}: unknown; choose one of ${ZOO_ARCHS.join(', ')}`);
  checkOutputPath(f.output, { force: f.force, inputs: dataInputs(f.data) });
  checkCheckpointPath(f);
  // The architecture's input shape decides what image folders become (the class count does not change it).
  const probe = buildModel(f.arch, { seed: f.seed ?? 0 });
  const load = { normalize: f.normalize, image: imageOptionsOf(f) };
  const train = await loadDataFor(probe, f.data, 'train', { ...load, limit: f.limit });
  const test = await loadDataFor(probe, f.data, 'test', load);
  const classes = zooClasses(train, f.data, f.classes);
  if (classes < 2)
    throw new ReproError(`--data ${f.data}: the training labels hold ${classes} class; a classifier needs at least 2`);
  const of = f.classes ? `the ${classes} classes of --classes` : `the ${classes} classes of the training labels`;
  checkLabels(train, classes, splitName(f.data, 'training'), of);
  checkLabels(test, classes, splitName(f.data, 'test'), of);
  const opts = trainOptionsFrom(f, ARCH_RECIPES[f.arch]!);
  const g = buildModel(f.arch, { seed: f.seed ?? 0, numClasses: classes });
  const t0 = performance.now();
  const res = await trainModel(g, train, { ...opts, evalDs: test });
  saveOnnx(res.graph, f.output, { force: f.force });
  return summary(res, { arch: f.arch, data: f.data, output: f.output }, (performance.now() - t0) / 1000);
}

export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a zoo model (SGD/Adam, cosine schedule, per-epoch evaluation)')
    .requiredOption('--arch <arch>', `architecture: ${ZOO_ARCHS.join(', ')}`)
    .option(
      '--classes <n>',
      `output classes (default: the largest training label + 1; at most ${MAX_CLASSES})`,
      parseIntFlag('--classes', 2, MAX_CLASSES),
    );
  addDataFlags(addTrainFlags(cmd)).action(async (f: Flags) => {
    const s = await runTrain(f);
    if (f.json) process.stdout.write(`${safeJson(s)}\n`);
    else
      process.stderr.write(
        `wrote ${oneLine(f.output)}: test accuracy ${(100 * (s.accuracy as number)).toFixed(2)}% after ${s.epochs} epochs, ${s.samplesPerSecond} samples/s\n`,
      );
  });
}
