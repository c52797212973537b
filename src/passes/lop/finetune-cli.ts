/**
 * The LOP / SP-KD branch of `reprune finetune`: `--lop [--expand r]` trains an expanded copy and merges it back;
 * `--teacher dense.onnx [--sp-gamma γ] [--sp-layers a,b]` adds similarity-preserving distillation. The output is
 * checked to have exactly the input's architecture before it is saved.
 */
import type { Command } from 'commander';
import { parseFloatFlag } from '../../cli/main.js';
import { loadDataset } from '../../data/sources.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { saveOnnx } from '../../onnx/save.js';
import { evaluate } from '../../runtime/evaluate.js';
import { FINETUNE_RECIPE, summary, trainOptionsFrom, type TrainFlags } from '../../train/cli-options.js';
import { masksFromZeros, selectParams } from '../../train/params.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { assertSameArchitecture } from './architecture.js';
import { lopFinetune } from './finetune.js';

export interface LopFinetuneFlags extends TrainFlags {
  mask: boolean;
  lop?: boolean;
  expand?: number;
  teacher?: string;
  spGamma?: number;
  spLayers?: string;
  evalLimit?: number;
}

export function addLopFinetuneFlags(cmd: Command): Command {
  return cmd
    .option('--lop', 'linear over-parameterization: expand every layer, fine-tune, merge back (same architecture out)')
    .option('--expand <r>', '[--lop] expansion rate r (default 4)', parseFloatFlag('--expand', 1))
    .option('--teacher <dense.onnx>', 'add similarity-preserving distillation (SP-KD) from this dense model')
    .option('--sp-gamma <γ>', '[--teacher] weight γ of L = CE + γ·Σ L_SP (default 3000)', parseFloatFlag('--sp-gamma', 0))
    .option('--sp-layers <a,b>', '[--teacher] node names whose outputs are distilled (default: stage ends)');
}

/** True when the LOP branch must run instead of plain fine-tuning. */
export function wantsLopFinetune(f: Partial<LopFinetuneFlags>): boolean {
  return Boolean(f.lop || f.teacher || f.expand !== undefined || f.spGamma !== undefined || f.spLayers);
}

export async function runLopFinetune(file: string, f: LopFinetuneFlags): Promise<Record<string, unknown>> {
  if (!f.lop && f.expand !== undefined) throw new ReproError('--expand needs --lop');
  if (!f.teacher && (f.spGamma !== undefined || f.spLayers)) throw new ReproError('--sp-gamma/--sp-layers need --teacher <dense.onnx>');
  if (f.resume || f.checkpoint) throw new ReproError('--checkpoint/--resume are not supported with --lop or --teacher');
  checkOutputPath(f.output, { inputs: [file, ...(f.teacher ? [f.teacher] : [])], force: f.force });
  const g = loadModelChecked(file);
  const teacher = f.teacher ? loadModelChecked(f.teacher) : undefined;
  const train = loadDataset(f.data, 'train', { limit: f.limit });
  const test = loadDataset(f.data, 'test', { limit: f.evalLimit });
  const opts = trainOptionsFrom(f, FINETUNE_RECIPE);
  // Expanded factors are dense, so exact zeros of the input cannot be held at zero through a LOP run.
  const masks = f.mask && !f.lop ? masksFromZeros(g, selectParams(g, undefined)) : {};
  const masked = Object.values(masks).reduce((a, m) => a + m.length - m.reduce((s, v) => s + v, 0), 0);
  const t0 = performance.now();
  const res = await lopFinetune(g, train, {
    ...opts, masks, lop: Boolean(f.lop), expand: f.expand, teacher, spGamma: f.spGamma,
    spLayers: f.spLayers?.split(',').map((s) => s.trim()).filter(Boolean),
  });
  const seconds = (performance.now() - t0) / 1000;
  assertSameArchitecture(g, res.graph, f.output);
  // Accuracy of the model that is saved (after the merge), not of the expanded one that was trained.
  const ev = await evaluate(res.graph, test);
  saveOnnx(res.graph, f.output, { inputs: [file], force: f.force });
  const s = summary(res, {
    model: file, data: f.data, output: f.output, mode: res.mode, maskedWeights: masked,
    ...(f.lop ? { expand: f.expand ?? 4, expanded: res.expandReport?.expanded.length ?? 0, skipped: res.expandReport?.skipped ?? [] } : {}),
    ...(teacher ? { teacher: f.teacher, spGamma: f.spGamma ?? 3000, spLayers: res.spLayers } : {}),
  }, seconds);
  return { ...s, accuracy: ev.accuracy, testLoss: ev.loss };
}
