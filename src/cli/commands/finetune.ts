/**
 * `reprune finetune <model.onnx> --data ... --epochs N -o out.onnx`: continue training a (pruned) model. Exact
 * zeros are kept as a mask (they stay exactly 0) unless --no-mask; `--lop [--expand r]` trains an expanded copy and
 * merges it back; `--teacher dense.onnx` adds SP-KD. Flags come from the `finetune` pass's option spec.
 */
import type { Command } from 'commander';
import { runPass } from '../../api/passes.js';
import { loadDataset } from '../../data/sources.js';
import type { FinetuneReport } from '../../passes/finetune/pass.js';
import { passSpec } from '../../passes/registry.js';
import { ReproError } from '../../util/errors.js';
import { parseIntFlag } from '../flags.js';
import { addPassFlags, flagNamer, passOptionsFromFlags } from '../pass-flags.js';
import { addInputShapeOption, loadModelFor } from '../model-input.js';
import { loadInputs, saveModel } from '../run-pass.js';
import { checkCheckpointPath, summary } from '../train-flags.js';

interface Flags {
  data: string;
  output: string;
  limit?: number;
  evalLimit?: number;
  teacher?: string;
  inputShape?: number[];
  checkpoint?: string;
  resume?: string;
  force?: boolean;
  json?: boolean;
  [k: string]: unknown;
}

function checkLopFlags(f: Flags): void {
  if (!f.lop && f.expand !== undefined) throw new ReproError('--expand needs --lop');
  if (!f.teacher && (f.spGamma !== undefined || f.spLayers !== undefined))
    throw new ReproError('--sp-gamma/--sp-layers need --teacher <dense.onnx>');
  if ((f.lop || f.teacher) && (f.resume || f.checkpoint))
    throw new ReproError('--checkpoint/--resume are not supported with --lop or --teacher');
}

export async function runFinetune(file: string, f: Flags): Promise<Record<string, unknown>> {
  checkLopFlags(f);
  checkCheckpointPath(f, [file]);
  const { g, data, prepared } = await loadInputs(file, f, {
    needsData: true,
    extraInputs: f.teacher ? [f.teacher] : [],
  });
  const teacher = f.teacher ? (await loadModelFor(f.teacher, f, data?.shape)).graph : undefined;
  const evalData = loadDataset(f.data, 'test', { limit: f.evalLimit });
  const t0 = performance.now();
  const r = await runPass(
    'finetune',
    g,
    passOptionsFromFlags(passSpec('finetune'), f),
    {
      data,
      evalData,
      teacher,
      checkpoint: f.checkpoint,
      resume: f.resume,
      progress: true,
    },
    flagNamer,
  );
  saveModel(r.graph, f.output, file, f.force, prepared);
  const rep = r.report as FinetuneReport;
  const o = r.plan.options as Record<string, unknown>;
  const lop = rep.mode === 'lop' || rep.mode === 'lop+spkd';
  const s = summary(
    { graph: r.graph, history: rep.history, params: [] },
    {
      model: file,
      data: f.data,
      output: f.output,
      mode: rep.mode,
      maskedWeights: rep.maskedWeights,
      ...(lop ? { expand: o.expand, expanded: rep.expanded ?? 0, skipped: rep.skipped ?? [] } : {}),
      ...(teacher ? { teacher: f.teacher, spGamma: o.spGamma, spLayers: rep.spLayers } : {}),
    },
    (performance.now() - t0) / 1000,
  );
  return { ...s, accuracy: rep.accuracy, testLoss: rep.testLoss };
}

export function register(program: Command): void {
  const cmd = program
    .command('finetune')
    .description('fine-tune an ONNX model; existing exact zeros stay zero unless --no-mask')
    .argument('<model>', 'ONNX model file')
    .requiredOption('--data <spec>', "training data: 'mnist', 'fashion-mnist' or a directory of IDX/.npy files")
    .requiredOption('-o, --output <file>', 'output .onnx file')
    .option('--limit <n>', 'use only the first N training samples', parseIntFlag('--limit', 1))
    .option('--eval-limit <n>', 'evaluate on only the first N test samples', parseIntFlag('--eval-limit', 1))
    .option('--teacher <dense.onnx>', 'add similarity-preserving distillation (SP-KD) from this dense model')
    .option('--checkpoint <file>', 'write a checkpoint (.onnx + .train.json) after every epoch')
    .option('--resume <file>', 'continue from a checkpoint written by --checkpoint (same flags)')
    .option('--force', 'replace an existing output file')
    .option('--json', 'print only a JSON summary on stdout');
  addInputShapeOption(cmd);
  addPassFlags(cmd, [passSpec('finetune')]).action(async (file: string, f: Flags) => {
    const s = await runFinetune(file, f);
    if (f.json) process.stdout.write(`${JSON.stringify(s)}\n`);
    else
      process.stderr.write(
        `wrote ${f.output}: test accuracy ${(100 * (s.accuracy as number)).toFixed(2)}% after ${s.epochs} epochs (${s.maskedWeights} weights held at 0)\n`,
      );
  });
}
