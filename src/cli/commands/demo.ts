/**
 * `reprune demo [-o DIR] [--quick] [--force]`: every compression method on MNIST lenet5 with sensible defaults,
 * one report. Progress goes to stderr; the summary table to stdout at the end.
 */
import type { Command } from 'commander';
import { runDemo } from '../../demo/run.js';
import { summaryText } from '../../report/html.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'train (or reuse) lenet5 on MNIST, run every method, write DIR/report.html, report.json and the compressed models',
    )
    .option('-o, --output <dir>', 'output folder', 'reprune-demo')
    .option('--quick', 'fewer epochs and samples (CI): every method still runs')
    .option('--force', 'replace an earlier report in the output folder')
    .action(async (o: { output: string; quick?: boolean; force?: boolean }) => {
      const command = `reprune demo -o ${o.output}${o.quick ? ' --quick' : ''}`;
      const r = await runDemo({ dir: o.output, quick: o.quick, force: o.force, command });
      process.stdout.write(`${summaryText(r)}\n`);
      const failed = r.methods.filter((m) => m.extra?.failed);
      if (failed.length)
        process.stderr.write(
          `${failed.length} method(s) failed: ${failed.map((m) => `${m.method} (${m.notes})`).join('; ')}\n`,
        );
    });
}
