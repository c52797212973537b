import type { Command } from 'commander';
import { buildReportHtml } from '../../report/html.js';
import { loadResults } from '../../report/load.js';
import { checkOutputPath, writeFileAtomic } from '../../util/fs.js';
import { oneLine } from '../../util/text.js';

export function register(program: Command): void {
  program
    .command('report <results.json>')
    .description('rebuild the HTML report from a results JSON (as written by reprune demo)')
    .requiredOption('-o, --output <file>', 'report HTML file to write')
    .option('--force', 'replace an existing output file')
    .action(async (file: string, o: { output: string; force?: boolean }) => {
      checkOutputPath(o.output, { inputs: [file], force: o.force });
      const html = await buildReportHtml(loadResults(file));
      writeFileAtomic(o.output, html, { inputs: [file], force: o.force });
      process.stderr.write(`wrote ${oneLine(o.output)}\n`);
    });
}
