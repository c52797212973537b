/**
 * Numeric flags: every one is parsed strictly. An empty value, NaN, text, hex, a fraction where an integer is
 * expected, an out-of-range or unrepresentable number is one error line naming the flag — never silently 0, the
 * default, or a run with a nonsense setting. `--threads` above the core count is capped with a notice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { model, TRAIN_FLAGS } from './fixtures.js';
import { outputProblems, runCli, shown } from './harness.js';
import { type Ctx, type ProbeCase, pick, refuse } from './types.js';

const BAD_INT = ['NaN', 'abc', '1e999', 'Infinity', '-1', '0x10', '1.5', '99999999999999999999', '2 3', ' ', '+', '7e'];
const BAD_FLOAT = ['NaN', 'abc', '1e999', 'Infinity', '-Infinity', '0x10', '1,5', '.', '1e', '0b1', ' ', '--'];
const BAD_PAIR = [',', '0.1,', ',0.3', 'NaN,1', '0.1,0', '0.1,0.3,1', 'a,b', '0x1,1'];

interface FlagUse {
  flag: string;
  bad: string[];
  /** The command line with the flag set to `v` (the flag comes last, so it wins over any earlier one). */
  args: (v: string, ctx: Ctx) => string[];
}

const train = (ctx: Ctx) => ['train', ...TRAIN_FLAGS, '--data', ctx.shared.data, '--epochs', '1', '-o', 'out.onnx'];
const withData = (cmd: string, ctx: Ctx, extra: string[] = []) => [cmd, 'm.onnx', '--data', ctx.shared.data, ...extra];

const USES: FlagUse[] = [
  { flag: '--threads', bad: BAD_INT, args: (v) => ['--threads', v, 'info', 'm.onnx'] },
  { flag: '--max-memory', bad: BAD_INT, args: (v) => ['--max-memory', v, 'info', 'm.onnx'] },
  ...['--epochs', '--batch', '--seed', '--limit', '--classes'].map((flag) => ({
    flag,
    bad: BAD_INT,
    args: (v: string, ctx: Ctx) => [...train(ctx), flag, v],
  })),
  ...['--lr', '--momentum', '--weight-decay', '--warmup', '--label-smoothing'].map((flag) => ({
    flag,
    bad: BAD_FLOAT,
    args: (v: string, ctx: Ctx) => [...train(ctx), flag, v],
  })),
  ...['--limit', '--batch'].map((flag) => ({
    flag,
    bad: BAD_INT,
    args: (v: string, ctx: Ctx) => [...withData('eval', ctx), flag, v],
  })),
  { flag: '--normalize', bad: BAD_PAIR, args: (v, ctx) => [...withData('eval', ctx), '--normalize', v] },
  ...['--seed', '--classes'].map((flag) => ({
    flag,
    bad: BAD_INT,
    args: (v: string) => ['export-zoo', 'mlp', '-o', 'out.onnx', flag, v],
  })),
  ...['--limit', '--eval-limit'].map((flag) => ({
    flag,
    bad: BAD_INT,
    args: (v: string, ctx: Ctx) => [...withData('finetune', ctx, ['--epochs', '1', '-o', 'out.onnx']), flag, v],
  })),
  {
    flag: '--limit',
    bad: BAD_INT,
    args: (v, ctx) => [
      ...withData('unify', ctx, ['--block', '1x4', '--unify', '0.5', '--prune', '0.3', '-o', 'out.onnx']),
      '--limit',
      v,
    ],
  },
  ...['--limit', '--test-limit'].map((flag) => ({
    flag,
    bad: BAD_INT,
    args: (v: string, ctx: Ctx) => [
      ...withData('tedepr', ctx, ['--dense', '--epochs', '1', '-o', 'out.onnx']),
      flag,
      v,
    ],
  })),
  {
    flag: '--ratio',
    bad: BAD_FLOAT,
    args: (v) => ['prune', 'm.onnx', '-o', 'out.onnx', '--method', 'l1', '--ratio', v],
  },
  {
    flag: '--sparsity',
    bad: BAD_FLOAT,
    args: (v) => ['prune', 'm.onnx', '-o', 'out.onnx', '--method', 'tile', '--sparsity', v],
  },
  {
    flag: '--eval-limit',
    bad: BAD_INT,
    args: (v) => ['bench', 'tiletrans', '--quick', '--out', 'b', '--eval-limit', v],
  },
  { flag: '--calib', bad: BAD_INT, args: (v) => ['bench', 'reap', '--quick', '--out', 'b', '--calib', v] },
  { flag: '--epochs', bad: BAD_INT, args: (v) => ['bench', 'lop', '--quick', '--out', 'b', '--epochs', v] },
  { flag: '--epochs', bad: BAD_INT, args: (v) => ['bench', 'tedepr', '--quick', '--out', 'b', '--epochs', v] },
  {
    flag: '--settings',
    bad: ['0.5:x', '0.5', ':', '0.5:0.6:0.1', '2:0'],
    args: (v) => ['bench', 'unify', '--quick', '--out', 'b', '--settings', v],
  },
];

/** `--threads` beyond the machine's cores: the run goes on with the cores there are, and says so. */
function threadsCapCase(ctx: Ctx): ProbeCase {
  return {
    cls: 'flags',
    name: '--threads 1000 is capped at the available cores with a notice',
    async run(dir) {
      fs.copyFileSync(ctx.shared.model, path.join(dir, 'm.onnx'));
      const r = await runCli(['--threads', '1000', 'eval', 'm.onnx', '--data', ctx.shared.data, '--json'], {
        cwd: dir,
        noThreads: true,
      });
      const problems = outputProblems(r);
      if (r.code !== 0) problems.push(`exit ${r.code}`);
      if (!/--threads 1000/.test(r.stderr) || !/core/.test(r.stderr))
        problems.push('no notice that --threads was capped');
      return { problems: problems.length ? [...problems, shown(r)] : [] };
    },
  };
}

export function flagCases(ctx: Ctx): ProbeCase[] {
  const cases: ProbeCase[] = [];
  for (const use of USES) {
    const a = use.args('V', ctx);
    const cmd = a[0] === 'bench' ? `bench ${a[1]}` : a.find((x) => !x.startsWith('-') && x !== 'V')!;
    // The empty value always (the `--ratio ''` trap), plus one seeded pick of the other bad values.
    for (const v of ['', ...pick(ctx.rng, use.bad, 1)]) {
      const isBench = a[0] === 'bench';
      cases.push(
        refuse('flags', `${cmd} ${use.flag} ${JSON.stringify(v)}`, (dir) => {
          model(dir, 'm.onnx');
          return {
            args: use.args(v, ctx),
            mention: [use.flag],
            timeoutMs: isBench ? 20_000 : 30_000,
            env: { REPRUNE_MODEL_CACHE: path.join(dir, 'cache') },
          };
        }),
      );
    }
  }
  cases.push(
    refuse('flags', '--threads 0', (dir) => {
      model(dir, 'm.onnx');
      return { args: ['--threads', '0', 'info', 'm.onnx'], mention: ['--threads'] };
    }),
    threadsCapCase(ctx),
  );
  return cases;
}
