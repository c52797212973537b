/**
 * `reprune prune <in.onnx> -o <out.onnx> --method <m> ...`: dispatcher over pruning methods. Each method
 * module adds its own flags (tagged [method] in --help) and returns the pruned graph plus a JSON summary.
 * To add a method: write src/passes/<method>/cli.ts and add one entry to METHODS.
 */
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Graph } from '../../ir/graph.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { saveOnnx } from '../../onnx/save.js';
import { addTileFlags, runTileMethod } from '../../passes/tile/cli.js';
import { addStructuredFlags, runStructured } from '../../passes/structured/cli.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { parseFloatFlag } from '../main.js';

export interface PruneMethod {
  addFlags: (cmd: Command) => Command;
  run: (g: Graph, flags: Record<string, unknown>) => { graph: Graph; summary: Record<string, unknown> } | Promise<{ graph: Graph; summary: Record<string, unknown> }>;
}

export const METHODS: Record<string, PruneMethod> = {
  tile: { addFlags: addTileFlags, run: (g, f) => runTileMethod(g, f) },
  ...Object.fromEntries(['l1', 'l2', 'random', 'reap', 'nu'].map((m) => [m, { addFlags: addStructuredFlags, run: (g: Graph, f: Record<string, unknown>) => runStructured(g, f as never) }])),
};

interface Flags { method: string; output: string; force?: boolean; json?: boolean; sparsity?: number; [k: string]: unknown }

export function register(program: Command): void {
  let cmd = program
    .command('prune')
    .description('prune an ONNX model')
    .argument('<model>', 'input .onnx file')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .requiredOption('--method <m>', `pruning method: ${Object.keys(METHODS).join(', ')}`)
    .option('--sparsity <s>', 'fraction of prunable weights to remove', parseFloatFlag('--sparsity', 0, 0.999))
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
  const seen = new Set<PruneMethod['addFlags']>();
  for (const m of Object.values(METHODS)) if (!seen.has(m.addFlags)) { seen.add(m.addFlags); cmd = m.addFlags(cmd); }
  cmd.action(async (file: string, f: Flags) => {
    const method = METHODS[f.method];
    if (!method) throw new ReproError(`--method ${f.method}: unknown; choose one of ${Object.keys(METHODS).join(', ')}`);
    checkOutputPath(f.output, { inputs: [file], force: f.force });
    // Side outputs (tile's --plot) may never replace the model files either.
    for (const [p, what] of [[file, 'the input model'], [f.output, '-o']] as const) {
      if (typeof f.plot === 'string' && path.resolve(f.plot) === path.resolve(p)) throw new ReproError(`--plot ${f.plot}: same file as ${what}; choose another path`);
    }
    const g = loadModelChecked(file);
    const { graph, summary } = await method.run(g, f);
    saveOnnx(graph, f.output, { inputs: [file], force: f.force });
    const s = { model: file, output: f.output, ...summary };
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else if (typeof summary.message === 'string') process.stderr.write(`wrote ${f.output}: ${summary.message}\n`);
    else process.stderr.write(`wrote ${f.output}: sparsity ${(100 * (summary.sparsity as number)).toFixed(1)}%, importance kept ${(100 * (summary.importanceKept as number)).toFixed(1)}%\n`);
  });
}
