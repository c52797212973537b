/**
 * reprune command line. Each command lives in src/cli/commands/<name>.ts and exports `register(program)`; only the
 * command being run is loaded (the others are listed by name for --help). A ReproError becomes one line on stderr
 * and exit code 2; anything else is a bug and keeps its stack.
 */
import * as os from 'node:os';
import { Command, CommanderError } from 'commander';
import { ReproError } from '../util/errors.js';
import { releaseAllClaims } from '../util/output-guard.js';
import { setExternalDataDefault } from '../onnx/external.js';
import { setRuntimeDefaults } from '../runtime/session.js';
import { defaultMemoryLimitMB, setMemoryLimitMB } from '../util/limits.js';
import { Interrupted } from '../util/signals.js';
import { COMMANDS } from './commands/index.js';
import { parseIntFlag } from './flags.js';
import { oneLine } from '../util/text.js';

const GLOBAL_WITH_VALUE = new Set(['--threads', '--ep', '--max-memory']);

/** The command a command line runs (`reprune help prune` counts as prune), or undefined for top-level help. */
export function commandNameOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a === 'help' ? argv[i + 1] : a;
  }
  return undefined;
}

/** The program with the command of `argv` fully registered (loaded) and every other command listed by name. */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('reprune')
    .description('Compress ONNX neural networks with pruning and reparameterization')
    .version('0.1.0')
    .option(
      '--threads <n>',
      'ONNX Runtime intra-op threads (default and maximum: all cores); 1 also keeps large float64 products on one thread',
      parseIntFlag('--threads', 1),
    )
    .option('--ep <provider>', 'execution provider: cpu (default) or cuda', 'cpu')
    .option(
      '--max-memory <MB>',
      `refuse models and datasets that need more memory than this (default ${defaultMemoryLimitMB()} MB, 75% of RAM)`,
      parseIntFlag('--max-memory', 1),
    )
    .option(
      '--external-data',
      'write models with their large tensors in <output>.data beside them (automatic over ~1.9 GB)',
    )
    // Usage errors stay one line: commander's message plus a hint, never a second line.
    .configureOutput({ outputError: (str, write) => write(`${oneLine(str.trim())} (run with --help for usage)\n`) })
    .exitOverride()
    .hook('preAction', (cmd) => {
      const o = cmd.optsWithGlobals() as { threads?: number; ep?: string; maxMemory?: number; externalData?: boolean };
      if (o.ep !== 'cpu' && o.ep !== 'cuda')
        throw new ReproError(`--ep ${o.ep}: unknown execution provider; use cpu or cuda`);
      setRuntimeDefaults({ threads: cappedThreads(o.threads), ep: o.ep });
      setMemoryLimitMB(o.maxMemory);
      setExternalDataDefault(o.externalData);
    });
  const wanted = commandNameOf(argv);
  for (const c of COMMANDS) {
    if (c.name === wanted) (await c.load()).register(program);
    else program.command(c.name).description(c.summary);
  }
  return program;
}

/** More threads than cores only slows ORT down (and 1000 of them take seconds to start): use the cores, and say so. */
function cappedThreads(threads: number | undefined): number | undefined {
  const cores = os.availableParallelism();
  if (threads === undefined || threads <= cores) return threads;
  process.stderr.write(`notice: --threads ${threads}: this machine has ${cores} cores; using ${cores}\n`);
  return cores;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // Ctrl-C during a run that saved its state: one line, exit 130 like a shell-level interrupt.
    if (e instanceof Interrupted) {
      process.stderr.write(`${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    if (e instanceof ReproError) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  } finally {
    // However the command ended: its output locks go, so the next run (or the next in-process call) starts clean.
    releaseAllClaims();
  }
}
