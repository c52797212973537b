/**
 * Late failures: an output that cannot be written (read-only or full folder, a checkpoint colliding with -o)
 * must be found before any work. The cases give a --data that does not exist: a command that checked its
 * outputs late reports the data instead, and the error would not name the output's flag. Signals while a large
 * output is being written must leave the complete file or none, and never a temp file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModel } from '../../src/onnx/decode.js';
import { fullDir, model, readOnlyDir, TRAIN_FLAGS } from './fixtures.js';
import { outputProblems, runCli, shown } from './harness.js';
import { type Ctx, type ProbeCase, refuse, type Setup } from './types.js';

const BOGUS = ['--data', 'no-such-data'];

/** A case writing into a read-only (or full) folder `sub` made by `make`; skipped where the folder cannot be made. */
function inFolder(
  kind: 'read-only' | 'full',
  name: string,
  args: (dir: string, out: string) => string[],
  mention: string[],
): ProbeCase {
  return refuse('late', `${name} (${kind} folder)`, (dir): Setup => {
    model(dir, 'm.onnx');
    fs.writeFileSync(path.join(dir, 'r.json'), '{}');
    const made = (kind === 'read-only' ? readOnlyDir : fullDir)(path.join(dir, 'out'));
    if (!made) return { args: [], skip: `cannot make a ${kind} folder here (needs root for a tmpfs mount)` };
    return { args: args(dir, 'out'), mention, release: made.release };
  });
}

/**
 * SIGINT/SIGTERM as soon as the temp file of a large output appears: afterwards the folder holds the complete
 * output or none, and no temp file.
 */
function signalWhileWriting(ctx: Ctx, sig: NodeJS.Signals, arch: string): ProbeCase {
  return {
    cls: 'late',
    name: `${sig} while export-zoo ${arch} writes its output`,
    async run(dir) {
      let pid = 0;
      const watcher = fs.watch(dir, (_, f) => {
        if (pid && f && String(f).endsWith('.tmp')) {
          try {
            process.kill(pid, sig);
          } catch {
            /* gone */
          }
        }
      });
      const r = await runCli(['export-zoo', arch, '-o', 'out.onnx', '--seed', String(ctx.rng.int(1000))], {
        cwd: dir,
        onSpawn: (p) => {
          pid = p;
        },
      }).finally(() => watcher.close());
      const problems = outputProblems(r);
      const left = fs.readdirSync(dir).filter((f) => f !== 'out.onnx');
      if (left.length) problems.push(`left behind: ${left.join(', ')}`);
      const out = path.join(dir, 'out.onnx');
      if (fs.existsSync(out)) {
        try {
          decodeModel(fs.readFileSync(out), { where: out });
        } catch (e) {
          problems.push(`out.onnx is incomplete: ${(e as Error).message}`);
        }
      }
      return { problems: problems.length ? [...problems, shown(r)] : [] };
    },
  };
}

export function lateCases(ctx: Ctx): ProbeCase[] {
  const train = ['train', ...TRAIN_FLAGS, ...BOGUS, '--epochs', '1'];
  const cases: ProbeCase[] = [];
  for (const kind of ['read-only', 'full'] as const) {
    cases.push(
      inFolder(kind, 'train -o', (_, o) => [...train, '-o', `${o}/x.onnx`], ['-o']),
      inFolder(
        kind,
        'finetune --checkpoint',
        (_, o) => ['finetune', 'm.onnx', ...BOGUS, '--epochs', '1', '--checkpoint', `${o}/ck.onnx`, '-o', 'x.onnx'],
        ['--checkpoint'],
      ),
      inFolder(
        kind,
        'prune -o',
        (_, o) => ['prune', 'm.onnx', '--method', 'reap', '--ratio', '0.5', ...BOGUS, '-o', `${o}/x.onnx`],
        ['-o'],
      ),
      inFolder(
        kind,
        'prune --plot',
        (_, o) => ['prune', 'm.onnx', '--method', 'tile', '--sparsity', '0.5', '--plot', `${o}/p.svg`, '-o', 'x.onnx'],
        ['--plot'],
      ),
      inFolder(
        kind,
        'prune --save-plan',
        (_, o) => ['prune', 'm.onnx', '--method', 'l1', '--ratio', '0.5', '--save-plan', `${o}/p.json`, '-o', 'x.onnx'],
        ['--save-plan'],
      ),
      inFolder(kind, 'unify -o', (_, o) => ['unify', 'm.onnx', ...BOGUS, '--block', '1x4', '-o', `${o}/x.onnx`], [
        '-o',
      ]),
      inFolder(kind, 'tedepr -o', (_, o) => ['tedepr', '--arch', 'mlp', ...BOGUS, '--dense', '-o', `${o}/x.onnx`], [
        '-o',
      ]),
      inFolder(kind, 'export-zoo -o', (_, o) => ['export-zoo', 'mlp', '-o', `${o}/x.onnx`], ['-o']),
      inFolder(kind, 'report -o', (_, o) => ['report', 'r.json', '-o', `${o}/r.html`], ['-o']),
      inFolder(kind, 'demo -o', (_, o) => ['demo', '--quick', '-o', `${o}/demo`], ['-o']),
    );
  }
  cases.push(
    refuse(
      'late',
      'train: --checkpoint collides with -o through a symlinked folder (found before loading data)',
      (dir) => {
        fs.symlinkSync('.', path.join(dir, 'alias'));
        return { args: [...train, '--checkpoint', 'alias/x.onnx', '-o', 'x.onnx'], mention: ['--checkpoint'] };
      },
    ),
    refuse('late', 'prune: --plot collides with -o through a symlinked folder (found before pruning)', (dir) => {
      model(dir, 'm.onnx');
      fs.symlinkSync('.', path.join(dir, 'alias'));
      const args = [
        'prune',
        'm.onnx',
        '--method',
        'tile',
        '--sparsity',
        '0.5',
        '--plot',
        'alias/x.onnx',
        '-o',
        'x.onnx',
      ];
      return { args, mention: ['--plot'] };
    }),
    signalWhileWriting(ctx, 'SIGINT', 'alexnet-small'),
    signalWhileWriting(ctx, 'SIGTERM', 'alexnet-small'),
    signalWhileWriting(ctx, 'SIGINT', 'vgg-small'),
    signalWhileWriting(ctx, 'SIGHUP', 'vgg-small'),
  );
  return cases;
}
