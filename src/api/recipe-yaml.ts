/** Writing a recipe: the YAML `--save-recipe` leaves beside a finished command's output. */
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { RecipeData } from './recipe.js';

/** A step as `--save-recipe` writes it: a pass with its options (and context keys), or an export. */
export type RecipeStepSource =
  | { pass: string; options: Record<string, unknown>; teacher?: string; limit?: number; evalLimit?: number }
  | { export: string };

/**
 * The YAML of a finished command's run (`--save-recipe`): paths relative to the recipe's folder, every option the
 * passes resolved (defaults included), so running it gives the same model bytes.
 */
export function recipeYaml(
  recipeFile: string,
  r: { model: string; data?: RecipeData; steps: RecipeStepSource[]; command?: string },
): string {
  const dir = path.dirname(path.resolve(recipeFile));
  const rel = (f: string) => {
    const p = path.relative(dir, path.resolve(f));
    return p === '' ? '.' : p;
  };
  const d = r.data;
  const source = d && (d.source === 'mnist' || d.source === 'fashion-mnist' ? d.source : rel(d.source));
  const dataKeys = Object.entries(d ?? {}).filter(([k, v]) => k !== 'source' && v !== undefined);
  const steps = r.steps.map((s) => {
    if ('export' in s) return { export: rel(s.export) };
    const extra = {
      ...(s.teacher ? { teacher: s.teacher === 'dense' ? 'dense' : rel(s.teacher) } : {}),
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
      ...(s.evalLimit !== undefined ? { evalLimit: s.evalLimit } : {}),
    };
    const body = { ...s.options, ...extra };
    return Object.keys(body).length ? { [s.pass]: body } : s.pass;
  });
  const doc = {
    model: rel(r.model),
    ...(source ? { data: dataKeys.length ? { source, ...Object.fromEntries(dataKeys) } : source } : {}),
    steps,
  };
  const head = r.command ? `# written by: ${r.command.replace(/\n/g, ' ')}\n` : '';
  const body = stringify(doc, { lineWidth: 0 });
  return `${head}${body.endsWith('\n') ? body : `${body}\n`}`;
}
