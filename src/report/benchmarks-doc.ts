/**
 * docs/BENCHMARKS.md: every bench's Markdown (docs/bench/<name>.md, each with its exact command) under one page,
 * with a description of the machine that produced them.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ort from 'onnxruntime-node';

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, ` +
    `Node ${process.version}, onnxruntime-node ${ort.env.versions.node ?? '?'}`;
}

export function assembleBenchmarks(benchDir: string, names: string[], intro = ''): string {
  const parts = [`# Benchmarks\n`, `Machine: ${machineDescription()}.\n`, intro];
  for (const name of names) {
    const f = path.join(benchDir, `${name}.md`);
    const body = existsSync(f) ? readFileSync(f, 'utf8').replace(/^# /gm, '## ').trim() : `## ${name}\n\nNot run yet: \`reprune bench ${name}\`.`;
    parts.push(body, '');
  }
  return `${parts.join('\n')}\n`;
}
