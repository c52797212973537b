/**
 * Every CLI command: its name, one line for `reprune --help`, and the module that registers it. Only the command
 * being run is loaded (so `--help` and `info` stay fast); add one line per command file.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ register(program: Command): void }>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'info', summary: 'layers, parameters, nonzeros and MACs of an ONNX model', load: () => import('./info.js') },
  {
    name: 'eval',
    summary: 'top-1 accuracy, mean loss and latency of an ONNX classifier on a dataset',
    load: () => import('./eval.js'),
  },
  {
    name: 'prune',
    summary:
      'prune a model: tile / element / N:M (TileTrans, lowering) or structured channels (L1/L2/REAP/NU, PRO, SRN)',
    load: () => import('./prune.js'),
  },
  {
    name: 'reparam',
    summary: 'function-preserving rewrites: tiletrans, fold-bn, srn, lop-expand, lop-merge, tile-lower',
    load: () => import('./reparam.js'),
  },
  {
    name: 'unify',
    summary: 'micro-structured weight unification and pruning (one-shot + retraining, or --mode admm)',
    load: () => import('./unify.js'),
  },
  {
    name: 'tedepr',
    summary: 'tensor-train layers + pruning at initialization, trained from scratch',
    load: () => import('./tedepr.js'),
  },
  {
    name: 'finetune',
    summary: 'fine-tune a model (zeros held at zero), optionally with LOP and SP-KD',
    load: () => import('./finetune.js'),
  },
  {
    name: 'train',
    summary: 'train a zoo model (SGD/Adam, cosine schedule, per-epoch evaluation)',
    load: () => import('./train.js'),
  },
  { name: 'export-zoo', summary: 'write an untrained model from the zoo', load: () => import('./export-zoo.js') },
  {
    name: 'passes',
    summary: 'list every pass with its options (the names recipes and the library use)',
    load: () => import('./passes.js'),
  },
  {
    name: 'run',
    summary: 'run a compression recipe (YAML/JSON): every intermediate model and one report',
    load: () => import('./run.js'),
  },
  { name: 'demo', summary: 'every method on LeNet-5/MNIST with an HTML report', load: () => import('./demo.js') },
  { name: 'report', summary: 'rebuild the HTML report from a results JSON', load: () => import('./report.js') },
  {
    name: 'bench',
    summary: 'run an experiment behind docs/BENCHMARKS.md (reprune bench <name> --help)',
    load: () => import('./bench.js'),
  },
];
