/** `reprune passes [--json]`: every registered pass, its kind, and its options with types, ranges and defaults. */
import type { Command } from 'commander';
import type { OptionSpec } from '../../passes/contract.js';
import { flagOf } from '../../passes/options.js';
import { passSpecs } from '../../passes/registry.js';

function optionLine(key: string, o: OptionSpec): string {
  const range =
    o.type === 'number'
      ? `${o.integer ? 'integer' : 'number'}${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''}`
      : o.type === 'choice'
        ? o.values.join('|')
        : o.type;
  const dflt =
    o.default === undefined ? '' : ` = ${Array.isArray(o.default) ? o.default.join(',') || '[]' : String(o.default)}`;
  return `    ${key} (${flagOf(key, o)}): ${range}${dflt} — ${o.help}`;
}

export function register(program: Command): void {
  program
    .command('passes')
    .description('list every pass with its options (the names recipes and the library use)')
    .option('--json', 'print the specs as JSON')
    .action((o: { json?: boolean }) => {
      const specs = passSpecs();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(specs, null, 1)}\n`);
        return;
      }
      const lines = specs.flatMap((s) => [
        `${s.name} [${s.kind}]: ${s.summary}`,
        ...Object.entries(s.options)
          .filter(([, x]) => !x.hidden)
          .map(([k, x]) => optionLine(k, x)),
      ]);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
