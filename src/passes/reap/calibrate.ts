/**
 * Calibration: stream N samples through the model (forEachBatch) and accumulate, for each channel group,
 * the Gram matrix of its behaviours — the values its consumers read — with a constant column for the
 * bias. Conv feature maps contribute a seeded random subset of spatial positions per sample; Flatten
 * blocks and plain features contribute all their positions. Accumulation is Float64 and per batch, so
 * memory is O(batch·positions·n + n²) whatever N is, and the batch itself is bounded by the bytes of the
 * activations it fetches (runtime/batch-memory.ts).
 */
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import { inferShapes, shapeOf } from '../../ir/shape/index.js';
import { type Mat, gram } from '../../linalg/index.js';
import { forEachBatch } from '../../runtime/capture.js';
import { ReproError } from '../../util/errors.js';
import { SeededRng } from '../../util/random.js';

export interface CalibTarget {
  key: string;
  /** Value read by the group's consumers. */
  value: string;
  /** Channels in the group. */
  size: number;
  /** Consumer offset (channels for Conv inputs, features after Flatten) and block (features per channel). */
  offset: number;
  block: number;
  /** Channels on the last axis (a MatMul reading an NHWC or token-major value), not on axis 1. */
  channelsLast?: boolean;
}

export interface CalibOptions {
  /** Samples streamed (default 2000). */
  samples?: number;
  /** Spatial positions kept per sample and conv feature map (default 32). */
  positions?: number;
  seed?: number;
  /** Progress lines (every ~10 s and at the end), for runs that take minutes on large models. */
  log?: (line: string) => void;
  /** Samples per run (default: up to 250, fewer where the fetched activations would exceed the memory budget). */
  batchSize?: number;
}

/** Where channel ch, position j of one sample lives: start + ch·stride + j·step, j < positions. */
interface Layout {
  start: number;
  stride: number;
  step: number;
  positions: number;
  perSample: number;
}

function layoutOf(shaped: Graph, t: CalibTarget): Layout {
  const dims = shapeOf(shaped, t.value).slice(1);
  if (dims.some((d) => typeof d !== 'number')) throw new ReproError(`calibration: shape of '${t.value}' is not static`);
  const d = dims as number[];
  const perSample = d.reduce((a, b) => a * b, 1);
  if (d.length === 1) return { start: t.offset, stride: t.block, step: 1, positions: t.block, perSample };
  if (t.block !== 1)
    throw new ReproError(`calibration: '${t.value}' is rank ${d.length + 1} but read in blocks of ${t.block}`);
  if (t.channelsLast) {
    const C = d[d.length - 1]!;
    return { start: t.offset, stride: 1, step: C, positions: perSample / C, perSample };
  }
  const P = d.slice(1).reduce((a, b) => a * b, 1);
  return { start: t.offset * P, stride: P, step: 1, positions: P, perSample };
}

/** A progress callback: a line every ~10 s while samples stream, and one when they are done. */
function progressLog(log: ((line: string) => void) | undefined, total: number, groups: number): (done: number) => void {
  const t0 = performance.now();
  let last = t0;
  return (done) => {
    const now = performance.now();
    if (!log || (done < total && now - last < 10_000)) return;
    last = now;
    log(`calibration: ${done}/${total} samples, ${groups} groups, ${((now - t0) / 1000).toFixed(1)} s`);
  };
}

/** Gram (size+1)² per target key (last row/column = constant 1), over the streamed samples. */
export async function calibrateGrams(
  g: Graph,
  ds: Dataset,
  targets: CalibTarget[],
  opts: CalibOptions = {},
): Promise<Map<string, Mat>> {
  if (targets.length === 0) return new Map(); // nothing prunable: no run (ORT refuses a run with nothing to fetch)
  const shaped = g.clone(true);
  inferShapes(shaped, { batch: 1 });
  const rng = new SeededRng(opts.seed ?? 0);
  const maxPos = opts.positions ?? 32;
  const layouts = targets.map((t) => layoutOf(shaped, t));
  const grams = targets.map((t) => new Float64Array((t.size + 1) * (t.size + 1)));
  const values = [...new Set(targets.map((t) => t.value))];
  const limit = Math.min(opts.samples ?? 2000, ds.count);
  const progress = progressLog(opts.log, limit, targets.length);
  await forEachBatch(
    g,
    ds,
    values,
    (out, n, info) => {
      targets.forEach((t, ti) => {
        const L = layouts[ti]!;
        const x = out[t.value]!.data as Float32Array;
        const take = Math.min(L.positions, maxPos);
        const d = t.size + 1;
        const rows = n * take;
        const X = new Float64Array(rows * d);
        let r = 0;
        for (let s = 0; s < n; s++) {
          const base = s * L.perSample + L.start;
          for (let q = 0; q < take; q++, r++) {
            const j = take === L.positions ? q : rng.int(L.positions);
            const row = r * d;
            const at = base + j * L.step;
            for (let ch = 0; ch < t.size; ch++) X[row + ch] = x[at + ch * L.stride]!;
            X[row + t.size] = 1;
          }
        }
        const G = gram({ rows, cols: d, data: X }).data;
        const acc = grams[ti]!;
        for (let i = 0; i < acc.length; i++) acc[i] += G[i]!;
      });
      progress(info.offset + n);
    },
    { limit, batchSize: opts.batchSize, maxBatch: 250, once: true },
  );
  return new Map(targets.map((t, ti) => [t.key, { rows: t.size + 1, cols: t.size + 1, data: grams[ti]! }]));
}
