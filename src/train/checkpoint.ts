/**
 * Checkpoints: the model as ONNX (atomic saveOnnx) plus a JSON sidecar `<path>.train.json` with what a
 * bit-identical resume needs — completed epochs, global step, optimizer buffers, history and the run's settings.
 * The ONNX file records the epoch too, so a crash between the two writes is detected instead of mixing states.
 */
import * as fs from 'node:fs';
import type { Graph } from '../ir/graph.js';
import { loadOnnx, saveOnnx } from '../onnx/index.js';
import { ReproError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import type { OptimizerState } from './optim/index.js';

export interface EpochStats {
  epoch: number;
  loss: number;
  trainAcc: number;
  testAcc?: number;
  testLoss?: number;
  samplesPerSecond: number;
  lr: number;
}

/** Settings that must match for a resume to continue the same run. */
export interface RunKey {
  batchSize: number;
  seed: number;
  epochs: number;
  optimizer: string;
  params: string[];
}

export interface TrainState {
  version: 1;
  epochsDone: number;
  step: number;
  optimizer: OptimizerState;
  history: EpochStats[];
  key: RunKey;
  /** Set when the run stopped inside epoch `epochsDone` (Ctrl-C): steps done in it and its running sums. */
  partial?: { steps: number; lossSum: number; hits: number; seen: number; lr: number };
}

/** What the ONNX file records of its position in the run: the epoch, plus the step for a mid-epoch stop. */
const positionTag = (s: Pick<TrainState, 'epochsDone' | 'partial'>) =>
  s.partial ? `${s.epochsDone}+${s.partial.steps}` : String(s.epochsDone);

const EPOCH_KEY = 'reprune.train.epoch';

export function sidecarPath(onnxPath: string): string {
  return `${onnxPath}.train.json`;
}

export function saveCheckpoint(model: Graph, path: string, state: TrainState): void {
  const prev = model.metadata[EPOCH_KEY];
  model.metadata[EPOCH_KEY] = positionTag(state);
  try {
    saveOnnx(model, path, { force: true });
  } finally {
    if (prev === undefined) delete model.metadata[EPOCH_KEY];
    else model.metadata[EPOCH_KEY] = prev;
  }
  const buffers: Record<string, string> = {};
  for (const [k, v] of Object.entries(state.optimizer.buffers))
    buffers[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  const json = { ...state, optimizer: { ...state.optimizer, buffers } };
  writeFileAtomic(sidecarPath(path), JSON.stringify(json));
}

export interface LoadedCheckpoint {
  model: Graph;
  state: TrainState;
}

export function loadCheckpoint(path: string): LoadedCheckpoint {
  const side = sidecarPath(path);
  if (!fs.existsSync(path)) throw new ReproError(`--resume ${path}: checkpoint file not found`);
  if (!fs.existsSync(side))
    throw new ReproError(`--resume ${path}: training state ${side} is missing; it is written next to each checkpoint`);
  let raw: TrainState & { optimizer: { buffers: Record<string, string> } };
  try {
    raw = JSON.parse(fs.readFileSync(side, 'utf8'));
  } catch (e) {
    throw new ReproError(`--resume ${side}: not valid JSON (${(e as Error).message})`);
  }
  if (raw.version !== 1) throw new ReproError(`--resume ${side}: unsupported state version ${String(raw.version)}`);
  const model = loadOnnx(path);
  const epoch = model.metadata[EPOCH_KEY];
  if (epoch !== positionTag(raw)) {
    throw new ReproError(
      `--resume ${path}: the model is from epoch ${epoch ?? '?'} but ${side} is from epoch ${positionTag(raw)}; the checkpoint was interrupted while saving`,
    );
  }
  delete model.metadata[EPOCH_KEY];
  const buffers: Record<string, Float32Array> = {};
  for (const [k, b64] of Object.entries(raw.optimizer.buffers)) {
    const bytes = Buffer.from(b64, 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    buffers[k] = new Float32Array(copy.buffer);
  }
  return { model, state: { ...raw, optimizer: { ...raw.optimizer, buffers } } };
}
