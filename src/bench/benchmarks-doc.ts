/**
 * docs/BENCHMARKS.md: every bench's Markdown (docs/bench/<name>.md, each with its exact command) under one page,
 * with a description of the machine that produced them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ortPackageVersion } from '../runtime/ort.js';

/** Sync and cheap: reads onnxruntime-node's version from its package.json rather than loading the binding. */
export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return (
    `${os.availableParallelism()} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, ` +
    `Node ${process.version}, onnxruntime-node ${ortPackageVersion() ?? '?'}`
  );
}

/**
 * The page's sections in order: every registered bench, plus `train` (written by `npm run bench:train`, a script
 * outside the CLI because it needs PyTorch) right after the baselines.
 */
export function pageSections(benches: string[]): string[] {
  const rest = benches.filter((n) => n !== 'baselines' && n !== 'train');
  return [...(benches.includes('baselines') ? ['baselines'] : []), 'train', ...rest];
}

/** `<benchDir>/intro.md`: the page's hand-written preface (where and when the tables were measured). */
export const INTRO_FILE = 'intro.md';

/**
 * `<stem>.notes.md`: the hand-written reading of a bench's table (settings, verdict), kept beside the file the bench
 * regenerates so a re-run replaces the numbers and keeps the prose; the page shows it right after the table.
 */
export const notesOf = (file: string) => file.replace(/\.md$/, '.notes.md');

/** A file's Markdown with every heading one level down (the page's sections are `##`). */
const demoted = (dir: string, file: string) =>
  readFileSync(path.join(dir, file), 'utf8')
    .replace(/^(#+) /gm, '#$1 ')
    .trim();

export function assembleBenchmarks(benchDir: string, names: string[], intro = ''): string {
  const introFile = path.join(benchDir, INTRO_FILE);
  const preface = intro || (existsSync(introFile) ? `${readFileSync(introFile, 'utf8').trim()}\n` : '');
  const parts = [`# Benchmarks\n`, `Machine: ${machineDescription()}.\n`, preface];
  const files = existsSync(benchDir)
    ? readdirSync(benchDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
  for (const name of names) {
    // <name>-summary.md, then <name>.md, then any extra runs saved as <name>-<what>.md (alphabetically)
    const rank = (f: string) => (f === `${name}-summary.md` ? 0 : f === `${name}.md` ? 1 : 2);
    const mine = files
      .filter((f) => (f === `${name}.md` || f.startsWith(`${name}-`)) && !f.endsWith('.notes.md'))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    if (mine.length === 0) parts.push(`## ${name}\n\nNot run yet: \`reprune bench ${name}\`.`, '');
    for (const f of mine) for (const g of [f, notesOf(f)]) if (files.includes(g)) parts.push(demoted(benchDir, g), '');
  }
  return `${parts.join('\n')}\n`;
}
