/**
 * `reprune finetune <model.onnx> --data ... --epochs N -o out.onnx`: continue training a (pruned) model.
 * Exact zeros are kept as a mask (they stay exactly 0) unless --no-mask.
 */
import type { Command } from 'commander';
import { parseIntFlag } from '../main.js';
import { loadDataset } from '../../data/sources.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { saveOnnx } from '../../onnx/save.js';
import { addTrainFlags, checkCheckpointPath, FINETUNE_RECIPE, summary, trainOptionsFrom, type TrainFlags } from '../../train/cli-options.js';
import { masksFromZeros, selectParams } from '../../train/params.js';
import { trainModel } from '../../train/trainer.js';
import { checkOutputPath } from '../../util/fs.js';
import { addLopFinetuneFlags, runLopFinetune, wantsLopFinetune } from '../../passes/lop/finetune-cli.js';

interface Flags extends TrainFlags {
  mask: boolean;
  evalLimit?: number;
}

export async function runFinetune(file: string, f: Flags): Promise<Record<string, unknown>> {
  checkOutputPath(f.output, { inputs: [file], force: f.force });
  checkCheckpointPath(f, [file]);
  const g = loadModelChecked(file);
  const train = loadDataset(f.data, 'train', { limit: f.limit });
  const test = loadDataset(f.data, 'test', { limit: f.evalLimit });
  const opts = trainOptionsFrom(f, FINETUNE_RECIPE);
  const masks = f.mask ? masksFromZeros(g, selectParams(g, undefined)) : {};
  const masked = Object.values(masks).reduce((a, m) => a + m.length - m.reduce((s, v) => s + v, 0), 0);
  const t0 = performance.now();
  const res = await trainModel(g, train, { ...opts, evalDs: test, masks });
  saveOnnx(res.graph, f.output, { inputs: [file], force: f.force });
  return summary(res, { model: file, data: f.data, output: f.output, mode: 'vanilla', maskedWeights: masked }, (performance.now() - t0) / 1000);
}

export function register(program: Command): void {
  const cmd = program
    .command('finetune')
    .description('fine-tune an ONNX model; existing exact zeros stay zero unless --no-mask')
    .argument('<model>', 'ONNX model file')
    .option('--no-mask', 'let pruned (zero) weights grow back')
    .option('--eval-limit <n>', 'evaluate on only the first N test samples', parseIntFlag('--eval-limit', 1));
  addLopFinetuneFlags(addTrainFlags(cmd)).action(async (file: string, f: Flags) => {
    // LOP / SP-KD modes (src/passes/lop): --lop, --teacher and their options.
    const s = wantsLopFinetune(f) ? await runLopFinetune(file, f) : await runFinetune(file, f);
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else process.stderr.write(`wrote ${f.output}: test accuracy ${(100 * (s.accuracy as number)).toFixed(2)}% after ${s.epochs} epochs (${s.maskedWeights} weights held at 0)\n`);
  });
}
