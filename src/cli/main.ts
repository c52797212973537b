/**
 * reprune command line. Each command lives in src/cli/commands/<name>.ts and exports `register(program)`.
 * A ReproError becomes one line on stderr and exit code 2; anything else is a bug and keeps its stack.
 */
import { Command, CommanderError } from 'commander';
import { ReproError } from '../util/errors.js';
import { setRuntimeDefaults } from '../runtime/session.js';
import { defaultMemoryLimitMB, setMemoryLimitMB } from '../util/limits.js';
import { Interrupted } from '../util/signals.js';
import { commands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('reprune')
    .description('Compress ONNX neural networks with pruning and reparameterization')
    .version('0.1.0')
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', parseIntFlag('--threads'))
    .option('--ep <provider>', 'execution provider: cpu (default) or cuda', 'cpu')
    .option('--max-memory <MB>', `refuse models and datasets that need more memory than this (default ${defaultMemoryLimitMB()} MB, 75% of RAM)`, parseIntFlag('--max-memory', 1))
    // Usage errors stay one line: commander's message plus a hint, never a second line.
    .configureOutput({ outputError: (str, write) => write(`${oneLine(str.trim())} (run with --help for usage)\n`) })
    .exitOverride()
    .hook('preAction', (cmd) => {
      const o = cmd.optsWithGlobals() as { threads?: number; ep?: string; maxMemory?: number };
      if (o.ep !== 'cpu' && o.ep !== 'cuda') throw new ReproError(`--ep ${o.ep}: unknown execution provider; use cpu or cuda`);
      setRuntimeDefaults({ threads: o.threads, ep: o.ep });
      setMemoryLimitMB(o.maxMemory);
    });
  for (const register of commands) register(program);
  return program;
}

export function parseIntFlag(flag: string, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new ReproError(`${flag} ${v}: expected an integer >= ${min}`);
    return n;
  };
}

export function parseFloatFlag(flag: string, min = -Infinity, max = Infinity) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new ReproError(`${flag} ${v}: expected a number in [${min}, ${max}]`);
    return n;
  };
}

/** Names inside messages come from untrusted files: escape control characters so an error stays one line. */
export function oneLine(msg: string, max = 4000): string {
  // eslint-disable-next-line no-control-regex
  const s = msg.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
  }
}

const isEntry = process.argv[1] && /(?:main\.ts|reprune(?:\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`reprune internal error (please report): ${(e as Error).stack ?? e}\n`); process.exitCode = 1; },
  );
}
