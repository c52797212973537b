/**
 * `reprune unify <in.onnx> -o out.onnx --data ... --block 4x4 --unify 0.5 --prune 0.3`: micro-structured weight
 * unification and pruning, one-shot projection + retraining by default or ADMM with --mode admm. Flags come from
 * the `unify` pass's option spec.
 */
import type { Command } from 'commander';
import { runPass } from '../../api/passes.js';
import { loadDataFor } from '../../api/data.js';
import type { UnifyReport } from '../../passes/unify/pass.js';
import { passSpec } from '../../passes/registry.js';
import { ReproError } from '../../util/errors.js';
import { oneLine, safeJson } from '../../util/text.js';
import { parseIntFlag } from '../flags.js';
import { addDataFlags, type DataFlags, imageOptionsOf } from '../data-flags.js';
import { addInputShapeOption } from '../model-input.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';
import { checkLabels, modelClasses, splitName } from '../labels.js';
import { checkSideOutput, loadInputs, saveModel } from '../run-pass.js';
import { planSteps, recipeData, SAVE_RECIPE_HELP, writeRecipe } from '../save-recipe.js';

interface Flags extends DataFlags {
  output: string;
  data: string;
  limit?: number;
  baseline?: string;
  saveRecipe?: string;
  json?: boolean;
  force?: boolean;
  [k: string]: unknown;
}

export async function runUnify(file: string, f: Flags): Promise<Record<string, unknown>> {
  if (f.baseline !== undefined && f.baseline !== 'oneshot')
    throw new ReproError(`--baseline ${f.baseline}: the only baseline is 'oneshot'`);
  const options = passOptionsFromFlags(passSpec('unify'), f);
  if (f.baseline) options.mode = 'oneshot';
  checkSideOutput(f, file, ['saveRecipe']);
  const { g, data, prepared } = await loadInputs(file, f, { needsData: true });
  const test = await loadDataFor(g, f.data, 'test', { normalize: f.normalize, image: imageOptionsOf(f) });
  const classes = modelClasses(g);
  if (classes) checkLabels(test, classes, splitName(f.data, 'test'));
  const t0 = performance.now();
  const log = (l: string) => process.stderr.write(`${oneLine(l)}\n`);
  const res = await runPass('unify', g, options, { data, evalData: test, progress: !f.json, log }, flagNamer);
  saveModel(res.graph, f.output, file, { force: f.force, prepared, quiet: f.json });
  if (f.saveRecipe) {
    const steps = planSteps([res.plan], { limit: f.limit });
    writeRecipe(f.saveRecipe, { input: file, output: f.output, data: recipeData(f), steps, force: f.force });
  }
  const r = res.report as UnifyReport;
  const a = r.accounting;
  const o = res.plan.options as Record<string, unknown>;
  return {
    model: file,
    output: f.output,
    method: o.mode,
    block: o.block,
    unify: o.unify,
    prune: o.prune,
    accuracy: r.accuracy,
    unifiedBlocks: a.unifiedBlocks,
    prunedBlocks: a.prunedBlocks,
    blocks: a.blocks,
    bits: a.bits,
    denseBits: a.denseBits,
    multiplies: a.multiplies,
    denseMultiplies: a.denseMultiplies,
    epochs: r.epochs,
    rounds: r.rounds,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('unify')
    .description('micro-structured weight unification and pruning (one-shot + retraining, or --mode admm)')
    .argument('<model>', 'trained ONNX model')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory")
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option(
      '--baseline <kind>',
      "'oneshot': magnitude projection + fine-tune with the same total epochs (same as --mode oneshot; the default mode 'auto' trains gradually from 60 % pruned blocks)",
    )
    .option('--save-recipe <recipe.yaml>', SAVE_RECIPE_HELP)
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
  addInputShapeOption(cmd);
  addPassFlags(addDataFlags(cmd), [passSpec('unify')]).action(async (file: string, f: Flags) => {
    const s = await runUnify(file, f);
    if (f.json) process.stdout.write(`${safeJson(s)}\n`);
    else
      process.stderr.write(
        `wrote ${oneLine(f.output)}: accuracy ${(100 * (s.accuracy as number)).toFixed(2)}%, ${s.unifiedBlocks} unified + ${s.prunedBlocks} pruned of ${s.blocks} blocks, ${s.bits} bits (dense ${s.denseBits}), ${s.multiplies} multiplies (dense ${s.denseMultiplies})\n`,
      );
  });
}
