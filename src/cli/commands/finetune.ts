/**
 * `reprune finetune <model.onnx> --data ... --epochs N -o out.onnx`: continue training a (pruned) model. Exact
 * zeros are kept as a mask (they stay exactly 0) unless --no-mask; `--lop [--expand r]` trains an expanded copy and
 * merges it back; `--teacher dense.onnx` adds SP-KD. Flags come from the `finetune` pass's option spec.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import { runPass } from '../../api/passes.js';
import { loadDataFor } from '../../api/data.js';
import type { FinetuneReport } from '../../passes/finetune/pass.js';
import { passSpec } from '../../passes/registry.js';
import { ReproError } from '../../util/errors.js';
import { oneLine, safeJson } from '../../util/text.js';
import { parseIntFlag } from '../flags.js';
import { addDataFlags, type DataFlags, imageOptionsOf } from '../data-flags.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';
import { addInputShapeOption, loadModelFor } from '../model-input.js';
import { checkSideOutput, loadInputs, saveModel } from '../run-pass.js';
import { planSteps, recipeData, SAVE_RECIPE_HELP, writeRecipe } from '../save-recipe.js';
import { checkLabels, modelClasses, splitName } from '../labels.js';
import { checkCheckpointPath, summary } from '../train-flags.js';

interface Flags extends DataFlags {
  data: string;
  output: string;
  limit?: number;
  evalLimit?: number;
  teacher?: string;
  inputShape?: number[];
  checkpoint?: string;
  resume?: string;
  saveRecipe?: string;
  force?: boolean;
  json?: boolean;
  [k: string]: unknown;
}

function checkLopFlags(f: Flags): void {
  if (!f.lop && f.expand !== undefined) throw new ReproError('--expand needs --lop');
  if (!f.teacher && (f.spGamma !== undefined || f.spShare !== undefined || f.spLayers !== undefined))
    throw new ReproError('--sp-gamma/--sp-share/--sp-layers need --teacher <dense.onnx>');
  if (f.spGamma !== undefined && f.spShare !== undefined)
    throw new ReproError(
      '--sp-gamma and --sp-share both set SP-KD’s γ: give one (--sp-gamma fixes it, --sp-share derives it)',
    );
  if ((f.lop || f.teacher) && (f.resume || f.checkpoint))
    throw new ReproError('--checkpoint/--resume are not supported with --lop or --teacher');
}

export async function runFinetune(file: string, f: Flags): Promise<Record<string, unknown>> {
  checkLopFlags(f);
  checkCheckpointPath(f, [file, ...(f.teacher ? [f.teacher] : [])]);
  checkSideOutput(f, file, ['saveRecipe']);
  const { g, data, prepared } = await loadInputs(file, f, {
    needsData: true,
    extraInputs: f.teacher ? [f.teacher] : [],
  });
  const teacher = f.teacher ? (await loadModelFor(f.teacher, f, data?.shape)).graph : undefined;
  const evalData = await loadDataFor(g, f.data, 'test', {
    limit: f.evalLimit,
    normalize: f.normalize,
    image: imageOptionsOf(f),
  });
  const classes = modelClasses(g);
  if (classes) checkLabels(evalData, classes, splitName(f.data, 'test'));
  const t0 = performance.now();
  const r = await runPass(
    'finetune',
    g,
    passOptionsFromFlags(passSpec('finetune'), f),
    {
      data,
      evalData,
      teacher,
      checkpoint: f.checkpoint,
      resume: f.resume,
      progress: true,
    },
    flagNamer,
  );
  saveModel(r.graph, f.output, file, { force: f.force, prepared, quiet: f.json });
  if (f.saveRecipe) {
    const teacher = f.teacher ? path.resolve(f.teacher) : undefined;
    const steps = planSteps([r.plan], { teacher, limit: f.limit, evalLimit: f.evalLimit });
    writeRecipe(f.saveRecipe, { input: file, output: f.output, data: recipeData(f), steps, force: f.force });
  }
  const rep = r.report as FinetuneReport;
  const o = r.plan.options as Record<string, unknown>;
  const lop = rep.mode === 'lop' || rep.mode === 'lop+spkd';
  const s = summary(
    { graph: r.graph, history: rep.history, params: [] },
    {
      model: file,
      data: f.data,
      output: f.output,
      mode: rep.mode,
      maskedWeights: rep.maskedWeights,
      ...(lop ? { expand: o.expand, expanded: rep.expanded ?? 0, skipped: rep.skipped ?? [] } : {}),
      ...(teacher ? { teacher: f.teacher, spGamma: rep.sp?.gamma, sp: rep.sp, spLayers: rep.spLayers } : {}),
    },
    (performance.now() - t0) / 1000,
  );
  return { ...s, accuracy: rep.accuracy, testLoss: rep.testLoss };
}

export function register(program: Command): void {
  const cmd = program
    .command('finetune')
    .description('fine-tune an ONNX model; existing exact zeros stay zero unless --no-mask')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory of IDX/.npy files")
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--eval-limit <n>', 'evaluate on only the first N test samples', parseIntFlag('--eval-limit', 1))
    .option('--teacher <dense.onnx>', 'add similarity-preserving distillation (SP-KD) from this dense model')
    .option('--checkpoint <file>', 'write a checkpoint after every epoch (one .onnx file holding the training state)')
    .option('--resume <file>', 'continue from a checkpoint written by --checkpoint (same flags)')
    .option('--save-recipe <recipe.yaml>', SAVE_RECIPE_HELP)
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
  addInputShapeOption(cmd);
  addPassFlags(addDataFlags(cmd), [passSpec('finetune')]).action(async (file: string, f: Flags) => {
    const s = await runFinetune(file, f);
    if (f.json) process.stdout.write(`${safeJson(s)}\n`);
    else
      process.stderr.write(
        `wrote ${oneLine(f.output)}: test accuracy ${(100 * (s.accuracy as number)).toFixed(2)}% after ${s.epochs} epochs (${s.maskedWeights} weights held at 0)\n`,
      );
  });
}
