/**
 * Calibration data for the scale bench's reap-pro pass: seeded standard-normal samples shaped to the model's input
 * with uniform random labels, written as `x_train.npy` / `y_train.npy` (a folder `--data` reads). What is timed is
 * calibration and PRO at the model's real input size; accuracy on such data means nothing and is not reported.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { writeNpy } from '../data/npy.js';
import { SeededRng } from '../util/random.js';

/** The folder written, or why there is none (an input without static sample dims). */
export function writeRandomCalibration(
  g: Graph,
  dir: string,
  count: number,
  classes: number,
): { dir: string } | { skip: string } {
  const shape = g.inputs.length === 1 ? g.inputs[0]!.shape : undefined;
  const sample = shape?.slice(1);
  if (!sample?.length || sample.some((d) => typeof d !== 'number'))
    return { skip: `input shape ${JSON.stringify(shape ?? null)} has no static sample dims` };
  const dims = [count, ...(sample as number[])];
  const rng = new SeededRng(0);
  const x = new Float32Array(dims.reduce((a, b) => a * b, 1));
  rng.fillNormal(x);
  const y = new BigInt64Array(count);
  for (let i = 0; i < count; i++) y[i] = BigInt(rng.int(classes));
  mkdirSync(dir, { recursive: true });
  writeNpy(path.join(dir, 'x_train.npy'), x, dims);
  writeNpy(path.join(dir, 'y_train.npy'), y, [count]);
  return { dir };
}
