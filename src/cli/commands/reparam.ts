/**
 * `reprune reparam <in.onnx> -o <out.onnx> --transform <t>`: dispatcher over function-preserving
 * reparameterisations. To add one: write its cli module and add one entry to TRANSFORMS.
 */
import type { Command } from 'commander';
import type { Graph } from '../../ir/graph.js';
import { loadModelChecked } from '../../onnx/prepare.js';
import { saveOnnx } from '../../onnx/save.js';
import { addTileTransFlags, runTileTransTransform } from '../../passes/tiletrans/cli.js';
import { addLopFlags, runLopExpand, runLopMerge } from '../../passes/lop/cli.js';
import { runFoldBn, runSrn } from '../../passes/srn/cli.js';
import { ReproError } from '../../util/errors.js';
import { checkOutputPath } from '../../util/fs.js';
import { parseFloatFlag } from '../main.js';

export interface Transform {
  addFlags: (cmd: Command) => Command;
  run: (g: Graph, flags: Record<string, unknown>) => { graph: Graph; summary: Record<string, unknown> } | Promise<{ graph: Graph; summary: Record<string, unknown> }>;
}

export const TRANSFORMS: Record<string, Transform> = {
  tiletrans: { addFlags: addTileTransFlags, run: (g, f) => runTileTransTransform(g, f) },
  'lop-expand': { addFlags: addLopFlags, run: runLopExpand },
  'lop-merge': { addFlags: (c) => c, run: runLopMerge },
  srn: { addFlags: (c) => c, run: runSrn },
  'fold-bn': { addFlags: (c) => c, run: runFoldBn },
};

interface Flags { transform: string; output: string; force?: boolean; json?: boolean; [k: string]: unknown }

export function register(program: Command): void {
  let cmd = program
    .command('reparam')
    .description('rewrite an ONNX model into an equivalent form (e.g. TileTrans channel permutation)')
    .argument('<model>', 'input .onnx file')
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .requiredOption('--transform <t>', `transform: ${Object.keys(TRANSFORMS).join(', ')}`)
    .option('--sparsity <s>', 'target sparsity a search optimises for', parseFloatFlag('--sparsity', 0, 0.999))
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
  for (const t of Object.values(TRANSFORMS)) cmd = t.addFlags(cmd);
  cmd.action(async (file: string, f: Flags) => {
    const t = TRANSFORMS[f.transform];
    if (!t) throw new ReproError(`--transform ${f.transform}: unknown; choose one of ${Object.keys(TRANSFORMS).join(', ')}`);
    checkOutputPath(f.output, { inputs: [file], force: f.force });
    const { graph, summary } = await t.run(loadModelChecked(file), f);
    saveOnnx(graph, f.output, { inputs: [file], force: f.force });
    const s = { model: file, output: f.output, ...summary };
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else process.stderr.write(`wrote ${f.output}: ${JSON.stringify(summary)}\n`);
  });
}
