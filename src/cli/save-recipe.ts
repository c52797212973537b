/**
 * `--save-recipe FILE` on prune, reparam, unify and finetune: the recipe of the run that just finished — the input
 * model, the data flags, each pass with every option it resolved, and an export of -o — so `reprune run FILE` writes
 * the same model again.
 */
import * as path from 'node:path';
import { parse as yamlParse } from 'yaml';
import type { RecipeData } from '../api/recipe.js';
import { type RecipeStepSource, recipeYaml } from '../api/recipe-yaml.js';
import type { Normalize } from '../data/dataset.js';
import type { ChannelNormalize } from '../data/normalize.js';
import type { PlanHeader } from '../passes/contract.js';
import { writeFileAtomic } from '../util/fs.js';
import type { DataFlags } from './data-flags.js';

export const SAVE_RECIPE_HELP =
  'also write the recipe of this run (YAML, or JSON for .json) to rerun it with reprune run';

function normalizeText(n: Normalize | ChannelNormalize): string {
  return Array.isArray(n.mean) ? [...n.mean, ...(n.std as number[])].join(',') : `${n.mean},${n.std}`;
}

/** The data section from the flags (built-in names as they are, folders absolute until made relative). */
export function recipeData(f: DataFlags & { data?: string; evalLimit?: number }): RecipeData | undefined {
  if (!f.data) return undefined;
  const source = f.data === 'mnist' || f.data === 'fashion-mnist' ? f.data : path.resolve(f.data);
  return {
    source,
    ...(f.normalize ? { normalize: normalizeText(f.normalize) } : {}),
    ...(f.resize !== undefined ? { resize: f.resize } : {}),
    ...(f.crop ? { crop: `${f.crop[0]}x${f.crop[1]}` } : {}),
    ...(f.skipBadImages ? { skipBadImages: true } : {}),
  };
}

/** Plans → recipe steps with their resolved options; `extra` adds step keys (limit, teacher, evalLimit). */
export function planSteps(
  plans: PlanHeader<unknown>[],
  extra: Omit<Extract<RecipeStepSource, { pass: string }>, 'pass' | 'options'> = {},
): RecipeStepSource[] {
  const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
  return plans.map((p) => ({ pass: p.pass, options: p.options as Record<string, unknown>, ...defined }));
}

export function writeRecipe(
  file: string,
  o: { input: string; output: string; data?: RecipeData; steps: RecipeStepSource[]; force?: boolean },
): void {
  const text = recipeYaml(file, {
    model: o.input,
    data: o.data,
    steps: [...o.steps, { export: o.output }],
    command: `reprune ${process.argv.slice(2).join(' ')}`,
  });
  const body = /\.json$/i.test(file) ? `${JSON.stringify(jsonOf(text), null, 1)}\n` : text;
  writeFileAtomic(file, body, { inputs: [o.input, o.output], force: o.force });
}

/** The same recipe as JSON (comments dropped). */
function jsonOf(yamlText: string): unknown {
  return JSON.parse(JSON.stringify(yamlParse(yamlText)));
}
