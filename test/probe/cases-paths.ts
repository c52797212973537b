/**
 * Paths and outputs: an output may never be an input or another output under another name (symlinked folder,
 * hard link, file symlink), never replace an existing file without --force, never a side file nobody asked for,
 * and two processes writing one output at once must not both "succeed".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModel } from '../../src/onnx/decode.js';
import { copyCheckpoint, model, TRAIN_FLAGS } from './fixtures.js';
import { outputProblems, refusalProblems, runCli, type RunResult, shown } from './harness.js';
import { type Ctx, fileName, type ProbeCase, refuse, refuseOrSucceed } from './types.js';

const alias = (dir: string) => fs.symlinkSync('.', path.join(dir, 'alias'));

/** Resolves once `lock` exists (polling), giving up after 20 s or `ms`, whichever is longer. */
async function lockSeen(lock: string, ms: number): Promise<void> {
  const until = Date.now() + Math.max(ms, 20_000);
  while (!fs.existsSync(lock) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
}

/**
 * Two runs of one command writing the same -o: with `delayMs` > 0 the second starts once the first holds its lock,
 * else both at once. Exactly one may succeed.
 */
function concurrent(name: string, args: (dir: string) => string[], delayMs: number): ProbeCase {
  return {
    cls: 'paths',
    name,
    async run(dir) {
      const a = args(dir);
      const first = runCli(a, { cwd: dir });
      // A start after the first writer holds its lock (or after delayMs when it takes none): a plain delay raced
      // the first writer's start-up on a loaded machine.
      if (delayMs > 0) await lockSeen(path.join(dir, '.out.onnx.reprune-lock'), delayMs);
      const second = runCli(a, { cwd: dir });
      const rs: RunResult[] = await Promise.all([first, second]);
      const problems = rs.flatMap(outputProblems);
      const ok = rs.filter((r) => r.code === 0);
      const refused = rs.filter((r) => r.code !== 0);
      if (ok.length !== 1 || refused.length !== 1)
        problems.push(`exits ${rs.map((r) => r.code ?? r.signal).join(' and ')}: exactly one writer may succeed`);
      for (const r of refused) problems.push(...refusalProblems(r));
      const out = path.join(dir, 'out.onnx');
      try {
        decodeModel(fs.readFileSync(out), { where: out });
      } catch (e) {
        problems.push(`out.onnx is not a complete model: ${(e as Error).message}`);
      }
      const left = fs.readdirSync(dir).filter((f) => f.startsWith('.'));
      if (left.length) problems.push(`left behind: ${left.join(', ')}`);
      return { problems: problems.length ? [...problems, ...rs.map(shown)] : [] };
    },
  };
}

export function pathCases(ctx: Ctx): ProbeCase[] {
  const { rng, shared } = ctx;
  const m = fileName(rng, 'model', '.onnx');
  const train = ['train', ...TRAIN_FLAGS, '--data', shared.data, '--epochs', '1'];
  const finetune = (file: string) => ['finetune', file, '--data', shared.data, '--epochs', '1'];
  const tile = ['--method', 'tile', '--sparsity', '0.5'];
  return [
    refuse('paths', 'prune: -o is the input through a symlinked folder (--force)', (dir) => {
      model(dir, m);
      alias(dir);
      return { args: ['prune', m, '-o', `alias/${m}`, '--method', 'l1', '--ratio', '0.5', '--force'], mention: ['-o'] };
    }),
    refuse('paths', 'prune: -o is a symlink to the input (--force)', (dir) => {
      model(dir, m);
      fs.symlinkSync(m, path.join(dir, 'out.onnx'));
      return { args: ['prune', m, '-o', 'out.onnx', ...tile, '--force'], mention: ['-o'] };
    }),
    refuse('paths', 'finetune: --checkpoint is the input through a symlinked folder (--force)', (dir) => {
      model(dir, m);
      alias(dir);
      return {
        args: [...finetune(m), '--checkpoint', `alias/${m}`, '-o', 'out.onnx', '--force'],
        mention: ['--checkpoint'],
      };
    }),
    refuse('paths', 'finetune: --checkpoint is a hard link to the input (--force)', (dir) => {
      model(dir, m);
      fs.linkSync(path.join(dir, m), path.join(dir, 'ck.onnx'));
      return {
        args: [...finetune(m), '--checkpoint', 'ck.onnx', '-o', 'out.onnx', '--force'],
        mention: ['--checkpoint'],
      };
    }),
    refuse('paths', 'finetune: --checkpoint is a symlink to the input (--force)', (dir) => {
      model(dir, m);
      fs.symlinkSync(m, path.join(dir, 'ck.onnx'));
      return {
        args: [...finetune(m), '--checkpoint', 'ck.onnx', '-o', 'out.onnx', '--force'],
        mention: ['--checkpoint'],
      };
    }),
    refuse('paths', 'finetune: --teacher is -o through a symlinked folder (--force)', (dir) => {
      model(dir, m);
      model(dir, 'teacher.onnx');
      alias(dir);
      return {
        args: [...finetune(m), '--teacher', 'alias/teacher.onnx', '-o', 'teacher.onnx', '--force'],
        mention: ['-o'],
      };
    }),
    refuse('paths', 'train: -o and --checkpoint are one file through a symlinked folder', (dir) => {
      alias(dir);
      return { args: [...train, '--checkpoint', 'alias/out.onnx', '-o', 'out.onnx'], mention: ['--checkpoint'] };
    }),
    refuse('paths', 'train: -o is the --resume checkpoint (--force)', (dir) => {
      copyCheckpoint(shared.ck1, dir);
      const args = ['train', ...TRAIN_FLAGS, '--data', shared.ckData, '--epochs', '1'];
      return {
        args: [...args, '--resume', 'ck.onnx', '--checkpoint', 'ck2.onnx', '-o', 'ck.onnx', '--force'],
        mention: ['-o'],
      };
    }),
    refuse('paths', 'train: --checkpoint is an unrelated existing file (no --force, no --resume)', (dir) => {
      fs.writeFileSync(path.join(dir, 'ck.onnx'), 'an earlier result');
      return { args: [...train, '--checkpoint', 'ck.onnx', '-o', 'out.onnx'], mention: ['--checkpoint'] };
    }),
    refuse('paths', 'prune: --plot is an existing file (no --force)', (dir) => {
      model(dir, m);
      fs.writeFileSync(path.join(dir, 'plot.svg'), '<svg>an earlier figure</svg>');
      return { args: ['prune', m, '-o', 'out.onnx', ...tile, '--plot', 'plot.svg'], mention: ['--plot'] };
    }),
    refuse('paths', 'prune: --plot is a hard link to the input (--force)', (dir) => {
      model(dir, m);
      fs.linkSync(path.join(dir, m), path.join(dir, 'plot.svg'));
      return { args: ['prune', m, '-o', 'out.onnx', ...tile, '--plot', 'plot.svg', '--force'], mention: ['--plot'] };
    }),
    refuse('paths', 'prune: --save-plan and --plot are one file through a symlinked folder (--force)', (dir) => {
      model(dir, m);
      alias(dir);
      return {
        args: ['prune', m, '-o', 'out.onnx', ...tile, '--plot', 'p.svg', '--save-plan', 'alias/p.svg', '--force'],
        mention: ['p.svg'],
      };
    }),
    refuse('paths', 'prune: --save-plan is -o through a symlinked folder (--force)', (dir) => {
      model(dir, m);
      alias(dir);
      return {
        args: ['prune', m, '-o', 'out.onnx', ...tile, '--save-plan', 'alias/out.onnx', '--force'],
        mention: ['--save-plan'],
      };
    }),
    refuse('paths', 'export-zoo: -o is a folder', (dir) => {
      fs.mkdirSync(path.join(dir, 'sub.onnx'));
      return { args: ['export-zoo', 'mlp', '-o', 'sub.onnx', '--force'], mention: ['-o'] };
    }),
    refuse('paths', 'prune: -o in a folder that does not exist', (dir) => {
      model(dir, m);
      return { args: ['prune', m, '-o', 'missing/out.onnx', ...tile], mention: ['-o'] };
    }),
    refuse('paths', 'report: -o is a hard link to the results input (--force)', (dir) => {
      fs.copyFileSync(shared.results, path.join(dir, 'r.json'));
      fs.linkSync(path.join(dir, 'r.json'), path.join(dir, 'r.html'));
      return { args: ['report', 'r.json', '-o', 'r.html', '--force'], mention: ['-o'] };
    }),
    refuse('paths', 'demo: -o is an existing file', (dir) => {
      fs.writeFileSync(path.join(dir, 'demo-out'), 'not a folder');
      return { args: ['demo', '--quick', '-o', 'demo-out'], mention: ['-o'] };
    }),
    refuseOrSucceed(
      'paths',
      "train: an unrelated file named like the checkpoint's side file (<ck>.train.json) exists",
      ['ck.onnx', 'out.onnx'],
      (dir) => {
        fs.writeFileSync(path.join(dir, 'ck.onnx.train.json'), 'notes the user keeps here\n');
        return { args: [...train, '--checkpoint', 'ck.onnx', '-o', 'out.onnx'] };
      },
    ),
    concurrent(
      'two trains write one -o at once (no --force)',
      () => [...train, '--epochs', '30', '-o', 'out.onnx'],
      300,
    ),
    concurrent(
      'two trains write one -o at once (--force)',
      // Enough epochs that the first writer is still at work when the second one claims -o.
      () => [...train, '--epochs', '30', '-o', 'out.onnx', '--force'],
      300,
    ),
    concurrent(
      'two prunes write one -o at once (no --force)',
      (dir) => {
        if (!fs.existsSync(path.join(dir, m))) model(dir, m);
        return ['prune', m, '-o', 'out.onnx', '--method', 'l1', '--ratio', '0.5'];
      },
      0,
    ),
  ];
}
