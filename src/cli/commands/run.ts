/**
 * `reprune run recipe.yaml`: a compression pipeline from a YAML or JSON recipe (model, data, steps — registered
 * passes with their options, and `export`). Writes every intermediate model and one report to the recipe's output
 * folder. The steps run through the same `runPass` as the commands, so the models are the commands' bytes.
 */
import type { Command } from 'commander';
import { loadRecipe } from '../../api/recipe.js';
import { runRecipe } from '../../api/recipe-run.js';
import { parseIntFlag } from '../flags.js';

interface Flags {
  force?: boolean;
  json?: boolean;
  report?: boolean;
  latencyIters?: number;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a compression recipe (YAML or JSON): every intermediate model and one report')
    .argument('<recipe>', 'recipe file (.yaml, .yml or .json); see reprune passes for the steps and their options')
    .option('--force', "replace an earlier run's report and models and existing export files")
    .option('--no-report', 'write the models only (no evaluation, no report)')
    .option(
      '--latency-iters <n>',
      'timed runs per model for the latency column (default 20)',
      parseIntFlag('--latency-iters', 1),
    )
    .option('--json', 'print only a JSON summary on stdout')
    .action(async (file: string, f: Flags) => {
      const recipe = loadRecipe(file);
      const log = f.json ? undefined : (l: string) => process.stderr.write(`${l}\n`);
      const res = await runRecipe(recipe, {
        force: f.force,
        noReport: f.report === false,
        latencyIters: f.latencyIters,
        log,
        progress: !f.json,
        command: `reprune run ${file}`,
      });
      const rows = res.results ? [res.results.baseline, ...res.results.methods] : [];
      const summary = {
        recipe: file,
        output: recipe.output,
        models: res.models.map((m) => m.file),
        exports: res.exports,
        report: res.reportFile ?? null,
        rows: rows.map((m) => ({
          label: m.label,
          accuracy: m.accuracy,
          macs: m.macs,
          fileBytes: m.fileBytes,
          latencyMs: m.latencyMs,
          outputCheck: m.outputCheck,
        })),
      };
      if (f.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else
        process.stderr.write(
          `wrote ${res.models.length} model(s) to ${recipe.output}${res.reportFile ? ` and ${res.reportFile}` : ''}${res.exports.length ? `; exported ${res.exports.join(', ')}` : ''}\n`,
        );
    });
}
