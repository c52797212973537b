/** One fuzz case: which seed, which mutations, and what loading the result did. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModel } from '../../src/onnx/decode.js';
import { prepareGraph } from '../../src/onnx/prepare.js';
import { modelMetrics } from '../../src/analysis/metrics.js';
import { ReproError } from '../../src/util/errors.js';
import { SeededRng } from '../../src/util/random.js';
import { MUTATORS } from './mutators.js';
import type { Seed } from './seeds.js';

export type Outcome = 'loaded' | 'refused' | 'finding';

export interface CaseResult {
  index: number;
  seed: string;
  mutations: string[];
  bytes: Uint8Array;
  outcome: Outcome;
  /** Error message, or for findings what went wrong. */
  detail: string;
}

const KINDS = Object.keys(MUTATORS);
/** Extra peak memory one case may take: a fixed allowance plus a multiple of the file size. */
export const MEMORY_ALLOWANCE = (fileBytes: number) => 96 * 2 ** 20 + 16 * fileBytes;

/** Case `index` of the corpus with master seed `seed`: pick a seed model (big zoo models rarely) and 1-3 mutations. */
export function makeCase(
  seeds: Seed[],
  index: number,
  seed: number,
): { seed: Seed; mutations: string[]; bytes: Uint8Array } {
  const rng = new SeededRng(seed * 1_000_003 + index);
  const r = rng.next();
  const s =
    r < 0.06
      ? seeds.find((x) => x.name === 'zoo:resnet-small')!
      : r < 0.2
        ? seeds.find((x) => x.name === 'zoo:lenet5')!
        : seeds[rng.int(seeds.length - 2)]!;
  const count = rng.next() < 0.75 ? 1 : 2 + rng.int(2);
  let bytes = s.bytes;
  const mutations: string[] = [];
  for (let k = 0; k < count; k++) {
    const kind = KINDS[rng.int(KINDS.length)]!;
    try {
      bytes = MUTATORS[kind]!(bytes, rng);
      mutations.push(kind);
    } catch {
      // A structural edit of bytes that no longer decode: skip it, the damage so far is the case.
      mutations.push(`${kind}(skipped)`);
    }
  }
  return { seed: s, mutations, bytes };
}

/** What `reprune info` does in-process: decode, validate, fold, check ops, infer shapes, compute metrics. */
export function loadLikeInfo(bytes: Uint8Array, modelDir: string): void {
  const g = decodeModel(bytes, { where: 'case.onnx', modelDir });
  prepareGraph(g, 'case.onnx');
  modelMetrics(g);
}

export function runCase(seeds: Seed[], index: number, seed: number, modelDir: string): CaseResult {
  const c = makeCase(seeds, index, seed);
  const base = { index, seed: c.seed.name, mutations: c.mutations, bytes: c.bytes };
  const before = process.resourceUsage().maxRSS * 1024;
  let outcome: Outcome;
  let detail = '';
  try {
    loadLikeInfo(c.bytes, modelDir);
    outcome = 'loaded';
  } catch (e) {
    if (e instanceof ReproError && /: malformed ONNX model \(/.test(e.message)) {
      // The decoder's safety net turned an unexpected exception into a ReproError: still a bug to look at.
      outcome = 'finding';
      detail = `decoder safety net: ${e.message}`;
    } else if (e instanceof ReproError && e.message.length > 0) {
      outcome = 'refused';
      detail = e.message;
    } else {
      outcome = 'finding';
      detail = `${(e as Error)?.constructor?.name ?? typeof e}: ${(e as Error)?.stack?.split('\n').slice(0, 4).join(' | ') ?? String(e)}`;
    }
  }
  const grew = process.resourceUsage().maxRSS * 1024 - before;
  if (grew > MEMORY_ALLOWANCE(c.bytes.length)) {
    outcome = 'finding';
    detail = `peak memory grew by ${(grew / 2 ** 20).toFixed(0)} MB for a ${c.bytes.length}-byte file (${detail || 'loaded'})`;
  }
  return { ...base, outcome, detail };
}

/** Folder with the files external-data mutations point at: w.bin (16 bytes), a subfolder and a symlink out. */
export function makeModelDir(root: string): string {
  const dir = path.join(root, 'models');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
  fs.writeFileSync(path.join(root, 'outside.bin'), new Uint8Array(16));
  fs.symlinkSync(path.join(root, 'outside.bin'), path.join(dir, 'escape.bin'));
  return dir;
}
