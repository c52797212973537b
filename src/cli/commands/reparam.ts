/**
 * `reprune reparam <in.onnx> -o <out.onnx> --transform <t>`: function-preserving rewrites, each a registered pass
 * whose option specs make the flags. `--save-plan` / `--plan` as for prune.
 */
import type { Command } from 'commander';
import { modelMetrics } from '../../analysis/metrics.js';
import { REPARAM_TRANSFORMS, type ReparamOptions, reparam } from '../../api/reparam.js';
import { passSpec } from '../../passes/registry.js';
import { ReproError } from '../../util/errors.js';
import { safeJson, oneLine } from '../../util/text.js';
import { writeFileAtomic } from '../../util/fs.js';
import { addDataFlags } from '../data-flags.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';
import { planSteps, recipeData, SAVE_RECIPE_HELP, writeRecipe } from '../save-recipe.js';
import { addInputShapeOption } from '../model-input.js';
import { checkSideOutput, loadInputs, planInputShape, replayPlanFlag, saveModel, writeSummary } from '../run-pass.js';

interface Flags {
  transform?: string;
  output: string;
  force?: boolean;
  json?: boolean;
  data?: string;
  plan?: string;
  savePlan?: string;
  saveRecipe?: string;
  [k: string]: unknown;
}

async function run(g: Parameters<typeof reparam>[0], f: Flags, ctx: Parameters<typeof reparam>[2]) {
  const t = f.transform!;
  if (!(REPARAM_TRANSFORMS as readonly string[]).includes(t))
    throw new ReproError(`--transform ${t}: unknown; choose one of ${REPARAM_TRANSFORMS.join(', ')}`);
  const options = passOptionsFromFlags(passSpec(t), f);
  return reparam(g, { transform: t, ...options } as ReparamOptions, ctx, flagNamer);
}

async function action(file: string, f: Flags): Promise<void> {
  if (!f.plan && !f.transform)
    throw new ReproError(
      `--transform is required: ${REPARAM_TRANSFORMS.join(', ')} (or replay a saved plan with --plan)`,
    );
  checkSideOutput(f, file, ['savePlan', 'saveRecipe']);
  if (f.plan && !f.inputShape) f.inputShape = planInputShape(f.plan);
  const { g, data, prepared } = await loadInputs(file, f, { needsData: !!f.data });
  const ctx = { data, log: f.json ? undefined : (l: string) => process.stderr.write(`${oneLine(l)}\n`) };
  const res = f.plan ? await replayPlanFlag(g, f.plan, ctx) : await run(g, f, ctx);
  saveModel(res.graph, f.output, file, { force: f.force, prepared, quiet: f.json });
  if (f.savePlan)
    writeFileAtomic(f.savePlan, `${JSON.stringify(res.plan)}\n`, { inputs: [file, f.output], force: f.force });
  if (f.saveRecipe) {
    const steps = planSteps(res.plan.steps);
    writeRecipe(f.saveRecipe, { input: file, output: f.output, data: recipeData(f), steps, force: f.force });
  }
  const summary = res.summary as Record<string, unknown>;
  if (summary.transform === 'srn') {
    const before = modelMetrics(g).totals,
      after = modelMetrics(res.graph).totals;
    Object.assign(summary, {
      macsBefore: before.macs,
      macsAfter: after.macs,
      paramsBefore: before.params,
      paramsAfter: after.params,
    });
  }
  writeSummary({ ...f, json: f.json }, file, f.json ? summary : { message: safeJson(summary) });
}

export function register(program: Command): void {
  const cmd = program
    .command('reparam')
    .description(
      'rewrite an ONNX model into an equivalent form (TileTrans, fold-bn, SRN, LOP expand/merge, tile lowering)',
    )
    .argument('<model>', 'input .onnx file')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--transform <t>', `transform: ${REPARAM_TRANSFORMS.join(', ')}`)
    .option('--data <spec>', '[tiletrans] training data for --importance taylor')
    .option('--save-plan <plan.json>', 'also write the plan, to replay it later with --plan')
    .option('--plan <plan.json>', 'replay a saved plan on the same model')
    .option('--save-recipe <recipe.yaml>', SAVE_RECIPE_HELP)
    .option('--force', 'replace existing output files')
    .option('--json', 'print only a JSON summary on stdout');
  addInputShapeOption(cmd);
  addPassFlags(
    addDataFlags(cmd),
    REPARAM_TRANSFORMS.map((t) => passSpec(t)),
  ).action(action);
}
