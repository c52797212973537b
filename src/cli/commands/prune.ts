/**
 * `reprune prune <in.onnx> -o <out.onnx> --method <m> ...`: tile / element / N:M pruning (optionally after
 * TileTrans, optionally lowered) or structured channel pruning (optionally after SRN, uniform or PRO ratios).
 * Flags come from the passes' own option specs; `--save-plan` writes what was decided, `--plan` replays it.
 */
import type { Command } from 'commander';
import {
  prune,
  pruneSteps,
  type PruneOptions,
  type StructuredPruneApiOptions,
  type TilePruneApiOptions,
} from '../../api/prune.js';
import { CHANNEL_CRITERIA } from '../../passes/channels/spec.js';
import type { Graph } from '../../ir/graph.js';
import { resolveOptions } from '../../passes/options.js';
import { passSpec, samplesUsedBy } from '../../passes/registry.js';
import type { TileOptions } from '../../passes/tile/spec.js';
import { writeFileAtomic } from '../../util/fs.js';
import { ReproError } from '../../util/errors.js';
import { numberFlag } from '../../util/numbers.js';
import { addDataFlags } from '../data-flags.js';
import { oneLine } from '../../util/text.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';
import { planSteps, recipeData, SAVE_RECIPE_HELP, writeRecipe } from '../save-recipe.js';
import { addInputShapeOption } from '../model-input.js';
import {
  checkSideOutput,
  loadInputs,
  planInputShape,
  replayPlanFlag,
  saveModel,
  writeSummary,
  writeWarnings,
} from '../run-pass.js';
import { tileTransFigure } from '../../report/tiletrans-plot.js';

export const PRUNE_METHODS = ['tile', ...CHANNEL_CRITERIA] as const;

export interface PruneFlags {
  method: string;
  output: string;
  force?: boolean;
  json?: boolean;
  data?: string;
  tiletrans?: boolean | string;
  lower?: boolean;
  plot?: string;
  srn?: boolean;
  heads?: string;
  foldBn?: boolean;
  pro?: boolean;
  plan?: string;
  savePlan?: string;
  saveRecipe?: string;
  [flag: string]: unknown;
}

function tileTransMode(v: boolean | string | undefined): 'sort' | 'search' | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true || v === 'sort' || v === 'search') return v === true ? 'sort' : v;
  throw new ReproError(`--tiletrans=${String(v)}: expected sort or search`);
}

/** Flags → the library's prune options (values still raw: the passes' schemas check them). */
export function pruneOptionsFromFlags(f: PruneFlags): PruneOptions {
  if (!(PRUNE_METHODS as readonly string[]).includes(f.method))
    throw new ReproError(`--method ${f.method}: unknown; choose one of ${PRUNE_METHODS.join(', ')}`);
  if (f.method === 'tile') {
    const o = passOptionsFromFlags(passSpec('tile'), f);
    return { ...o, method: 'tile', tiletrans: tileTransMode(f.tiletrans), lower: f.lower } as TilePruneApiOptions;
  }
  const o = passOptionsFromFlags(passSpec('channels'), f, ['criterion']);
  const heads = numberFlag('--heads', f.heads, { min: 0, max: 0.999 });
  if (f.pro && o.budgetMacs === undefined && o.budgetParams === undefined)
    throw new ReproError('--pro needs --budget-macs F or --budget-params F (fraction of the original cost to keep)');
  if (!f.pro && o.ratio === undefined && o.budgetMacs === undefined && o.budgetParams === undefined) {
    // Heads alone: the channels step runs at ratio 0 (nothing more removed).
    if (heads !== undefined) o.ratio = 0;
    else
      throw new ReproError(
        `--method ${f.method}: give --ratio R (fraction of channels to remove), --pro --budget-macs F, or --heads R`,
      );
  }
  return { ...o, method: f.method, srn: f.srn, foldBn: f.foldBn, heads } as StructuredPruneApiOptions;
}

/** `--plot`: the tile pruning of this run drawn before and after TileTrans. */
function plotFigure(g: Graph, f: PruneFlags): string {
  const o = resolveOptions(
    passSpec('tile'),
    passOptionsFromFlags(passSpec('tile'), f),
    flagNamer,
  ) as unknown as TileOptions;
  const mode = tileTransMode(f.tiletrans);
  return tileTransFigure(g, { ...o, tiletrans: mode });
}

async function action(file: string, f: PruneFlags): Promise<void> {
  if (!f.plan && !f.method)
    throw new ReproError(`--method is required: ${PRUNE_METHODS.join(', ')} (or replay a saved plan with --plan)`);
  if (f.plot && f.method !== 'tile') throw new ReproError('--plot draws tile pruning; use it with --method tile');
  checkSideOutput(f, file, ['plot', 'savePlan', 'saveRecipe']);
  if (f.plan && !f.inputShape) f.inputShape = planInputShape(f.plan);
  const o = f.plan ? undefined : pruneOptionsFromFlags(f);
  // A replayed plan needs no data; planning reads only as many samples as its passes say.
  const samples = o ? samplesUsedBy(pruneSteps(o), flagNamer) : 0;
  const { g, data, prepared } = await loadInputs(file, f, { needsData: !!f.data, samples });
  const log = f.json ? undefined : (l: string) => process.stderr.write(`${oneLine(l)}\n`);
  const res = o ? await prune(g, o, { data, log }, flagNamer) : await replayPlanFlag(g, f.plan!, { data, log });
  if (f.plot && !f.plan) writeFileAtomic(f.plot, plotFigure(g, f), { inputs: [file, f.output], force: f.force });
  saveModel(res.graph, f.output, file, { force: f.force, prepared, quiet: f.json });
  if (f.savePlan)
    writeFileAtomic(f.savePlan, `${JSON.stringify(res.plan)}\n`, { inputs: [file, f.output], force: f.force });
  if (f.saveRecipe) {
    const steps = planSteps(res.plan.steps, { limit: f.limit as number | undefined });
    writeRecipe(f.saveRecipe, { input: file, output: f.output, data: recipeData(f), steps, force: f.force });
  }
  writeSummary(f, file, res.summary as unknown as Record<string, unknown>);
  writeWarnings(res.summary as unknown as Record<string, unknown>);
}

export function register(program: Command): void {
  const cmd = program
    .command('prune')
    .description('prune an ONNX model (tile / element / N:M, or structured channels)')
    .argument('<model>', 'input .onnx file')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--method <m>', `pruning method: ${PRUNE_METHODS.join(', ')} (not with --plan)`)
    .option(
      '--data <spec>',
      'training/calibration data (reap, nu, PRO, taylor): mnist, fashion-mnist, a folder or files',
    )
    .option(
      '--tiletrans [mode]',
      '[tile] permute channels first (TileTrans): sort (the paper, default) or search (ours)',
    )
    .option('--lower', '[tile] rewrite pruned layers into dense ops over the surviving tiles (faster in ORT)')
    .option('--plot <file.svg>', '[tile] heat map of one layer before/after permutation, pruned tiles marked')
    .option('--srn', '[channels] serialize residual blocks first (fold BN, remove Adds) so every layer is prunable')
    .option(
      '--heads <ratio>',
      '[channels] first remove this fraction of the heads of every attention block (ViT/BERT; --method l1 or reap)',
    )
    .option('--fold-bn', '[channels] fold the BatchNormalization nodes left after pruning into their convs')
    .option('--pro', '[channels] choose per-group ratios with PRO (needs --budget-macs or --budget-params)')
    .option('--save-plan <plan.json>', 'also write the plan (what was cut and why) to replay it later with --plan')
    .option('--plan <plan.json>', 'replay a saved plan on the same model instead of planning again')
    .option('--save-recipe <recipe.yaml>', SAVE_RECIPE_HELP)
    .option('--force', 'replace existing output files')
    .option('--json', 'print only a JSON summary on stdout');
  addInputShapeOption(cmd);
  addPassFlags(
    addDataFlags(cmd),
    [passSpec('tile'), passSpec('channels'), passSpec('tiletrans')],
    ['criterion'],
  ).action(action);
}
