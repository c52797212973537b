/**
 * `reprune export-zoo <arch> -o file.onnx [--seed S] [--force]`: write an untrained zoo model
 * (seeded, so the same seed gives a bit-identical file).
 */
import type { Command } from 'commander';
import { buildModel, isZooArch, ZOO_ARCHS } from '../../models/index.js';
import { saveOnnx } from '../../onnx/save.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { oneLine } from '../../util/text.js';
import { parseIntFlag } from '../flags.js';
import { MAX_CLASSES } from '../labels.js';

export interface ExportZooOptions {
  output: string;
  seed?: number;
  classes?: number;
  force?: boolean;
}

export function exportZoo(arch: string, o: ExportZooOptions): void {
  if (!isZooArch(arch))
    throw new ReproError(`export-zoo ${arch}: unknown architecture; choose one of: ${ZOO_ARCHS.join(', ')}`);
  checkOutputPath(o.output, { force: o.force });
  const g = buildModel(arch, { seed: o.seed ?? 0, numClasses: o.classes ?? 10 });
  saveOnnx(g, o.output, { inputs: [], force: !!o.force });
}

export function register(program: Command): void {
  program
    .command('export-zoo')
    .description(`write an untrained model from the zoo (${ZOO_ARCHS.join(', ')})`)
    .argument('<arch>', 'architecture name')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--seed <s>', 'weight-init seed (default 0)', parseIntFlag('--seed', 0))
    .option(
      '--classes <n>',
      `number of output classes (default 10, at most ${MAX_CLASSES})`,
      parseIntFlag('--classes', 2, MAX_CLASSES),
    )
    .option('--force', 'replace an existing output file')
    .action((arch: string, opts: ExportZooOptions) => {
      exportZoo(arch, opts);
      process.stderr.write(`wrote ${oneLine(opts.output)} (${arch}, seed ${opts.seed ?? 0})\n`);
    });
}
