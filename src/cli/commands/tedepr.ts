/**
 * `reprune tedepr [model.onnx | --arch <zoo arch>] --data <spec> --sparsity 0.99 --score <kind> [--tt-rank r | --dense]
 *  --epochs N -o out.onnx [--json]`: the model's Conv/Gemm/MatMul layers as tensor-train (or ring) layers, pruned at
 * initialization by the score to exactly the requested sparsity (relative to the dense model's weights), trained from
 * scratch with the mask fixed, evaluated, and saved (TT form, metadata 'reprune.tt' and 'reprune.tedepr'). A zoo
 * name is a shortcut for that architecture's fresh model.
 */
import type { Command } from 'commander';
import { runPass } from '../../api/passes.js';
import { loadDataset } from '../../data/sources.js';
import type { Graph } from '../../ir/graph.js';
import { buildModel, isZooArch, ZOO_ARCHS } from '../../models/index.js';
import { saveOnnx } from '../../onnx/save.js';
import type { TedeprReport } from '../../passes/tedepr/pass.js';
import { passSpec } from '../../passes/registry.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import type { Dataset } from '../../data/dataset.js';
import type { PreparedModel } from '../../runtime/shapes.js';
import { oneLine, safeJson } from '../../util/text.js';
import { parseIntFlag } from '../flags.js';
import { checkLabels, modelClasses, splitName, zooClasses } from '../labels.js';
import { addInputShapeOption, type InputShapeFlags, loadModelFor } from '../model-input.js';
import { dataInputs } from '../run-pass.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';

export interface TedeprFlags extends InputShapeFlags {
  arch?: string;
  data: string;
  limit?: number;
  testLimit?: number;
  output: string;
  force?: boolean;
  json?: boolean;
  [k: string]: unknown;
}

/** The user's model (re-initialised by the pass) or a fresh zoo model (already at its init: not re-initialised). */
async function modelOf(
  file: string | undefined,
  f: TedeprFlags,
  train: Dataset,
): Promise<{ g: Graph; zoo: boolean; prepared?: PreparedModel }> {
  const classes = zooClasses(train, f.data);
  if (file && f.arch) throw new ReproError('tedepr: give a model file or --arch, not both');
  if (file) {
    const prepared = await loadModelFor(file, f, train.shape);
    return { g: prepared.graph, zoo: false, prepared };
  }
  if (!f.arch) throw new ReproError(`tedepr: give a model file, or --arch ${ZOO_ARCHS.join('|')}`);
  if (!isZooArch(f.arch)) throw new ReproError(`--arch ${f.arch}: unknown; choose one of ${ZOO_ARCHS.join(', ')}`);
  return { g: buildModel(f.arch, { seed: Number(f.seed ?? 0), numClasses: classes }), zoo: true };
}

export async function runTedeprCommand(f: TedeprFlags, file?: string): Promise<Record<string, unknown>> {
  checkOutputPath(f.output, { inputs: [...(file ? [file] : []), ...dataInputs(f.data)], force: f.force });
  const train = loadDataset(f.data, 'train', { limit: f.limit });
  const test = loadDataset(f.data, 'test', { limit: f.testLimit });
  const { g, zoo, prepared } = await modelOf(file, f, train);
  // Every label against the classes the model outputs, before the scores and the training run.
  const classes = modelClasses(g);
  if (classes)
    for (const [ds, split] of [
      [train, 'training'],
      [test, 'test'],
    ] as const)
      checkLabels(ds, classes, splitName(f.data, split));
  const options = { ...passOptionsFromFlags(passSpec('tedepr'), f), reinit: !zoo };
  const log = (l: string) => process.stderr.write(`${oneLine(l)}\n`);
  const r = await runPass('tedepr', g, options, { data: train, evalData: test, progress: !f.json, log }, flagNamer);
  saveOnnx(prepared ? prepared.restore(r.graph) : r.graph, f.output, { inputs: file ? [file] : [], force: f.force });
  const { history, ...rest } = r.report as TedeprReport;
  const o = r.plan.options as Record<string, unknown>;
  return {
    ...(file ? { model: file } : { arch: f.arch }),
    data: f.data,
    score: o.score,
    mode: o.dense ? 'dense' : 'tt',
    ...rest,
    epochs: history.length,
    output: f.output,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('tedepr')
    .description('TEDEPR: tensor-train layers + pruning at initialization, trained from scratch with the mask fixed')
    .argument('[model]', 'ONNX model whose architecture is trained from scratch (or use --arch)')
    .option('--arch <arch>', `a zoo architecture instead of a model file: ${ZOO_ARCHS.join(', ')}`)
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory")
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--test-limit <n>', 'evaluate on only the first N test samples', parseIntFlag('--test-limit', 1))
    .requiredOption('-o, --output <file>', 'output .onnx file (the trained model)')
    .option('--force', 'overwrite the output file')
    .option('--json', 'print {"accuracy", "sparsity", "params", "nonzeros", ...} as JSON on stdout');
  addInputShapeOption(cmd);
  addPassFlags(cmd, [passSpec('tedepr')]).action(async (file: string | undefined, f: TedeprFlags) => {
    const r = await runTedeprCommand(f, file);
    if (f.json) {
      process.stdout.write(`${safeJson(r)}\n`);
      return;
    }
    const what = r.mode === 'tt' ? `TT rank ${r.ttRank}` : 'dense';
    process.stdout.write(
      `${oneLine(file ?? f.arch!)} ${what} + ${r.score}: accuracy ${(100 * (r.accuracy as number)).toFixed(2)}%, ` +
        `sparsity ${(100 * (r.sparsity as number)).toFixed(2)}%, ${r.nonzeros} non-zero of ${r.params} params (dense model ${r.denseParams}); wrote ${oneLine(f.output)}\n`,
    );
  });
}
