/**
 * Checkpoints: ONE file — the model as ONNX with what a bit-identical resume needs (completed epochs, global step,
 * optimizer buffers, history and the run's settings) in its metadata entry `reprune.train.state`. It is written
 * like every output (a temp file renamed over the previous checkpoint), so a crash at any moment leaves either the
 * previous complete checkpoint or the new one, never a model without its state. Reading checks the state strictly
 * (checkpoint-state.ts). Checkpoints of earlier versions (`<path>.train.json` beside the model) are still read.
 */
import * as fs from 'node:fs';
import type { Graph } from '../ir/graph.js';
import { loadOnnx, saveOnnx } from '../onnx/index.js';
import { ReproError } from '../util/errors.js';
import { readTextFile } from '../util/read-file.js';
import { decodeTrainState, encodeTrainState, type TrainState } from './checkpoint-state.js';

export type { EpochStats, RunKey, TrainState } from './checkpoint-state.js';

/** The metadata entry holding the training state. */
export const STATE_KEY = 'reprune.train.state';
/** Older checkpoints: the position the model file records, matched against the side file's. */
const EPOCH_KEY = 'reprune.train.epoch';

/** What the ONNX file records of its position in the run: the epoch, plus the step for a mid-epoch stop. */
const positionTag = (s: Pick<TrainState, 'epochsDone' | 'partial'>) =>
  s.partial ? `${s.epochsDone}+${s.partial.steps}` : String(s.epochsDone);

/** The side file of checkpoints written by earlier versions (read, never written). */
export function sidecarPath(onnxPath: string): string {
  return `${onnxPath}.train.json`;
}

export function saveCheckpoint(model: Graph, path: string, state: TrainState): void {
  const prev = model.metadata[STATE_KEY];
  model.metadata[STATE_KEY] = encodeTrainState(state);
  try {
    // One atomic write: the previous checkpoint stays in place until this one is complete.
    saveOnnx(model, path, { force: true, flag: '--checkpoint' });
  } finally {
    if (prev === undefined) delete model.metadata[STATE_KEY];
    else model.metadata[STATE_KEY] = prev;
  }
}

export interface LoadedCheckpoint {
  model: Graph;
  state: TrainState;
}

/** The side file holding the state of a checkpoint written by an earlier version. */
function legacyStateText(path: string): string {
  const side = sidecarPath(path);
  if (!fs.existsSync(side))
    throw new ReproError(`--resume ${path}: holds no training state; resume from a checkpoint written by --checkpoint`);
  return readTextFile(side, { what: `--resume ${side}`, expected: 'the JSON training state' });
}

export function loadCheckpoint(path: string): LoadedCheckpoint {
  const model = loadOnnx(path);
  const embedded = model.metadata[STATE_KEY];
  const state = decodeTrainState(embedded ?? legacyStateText(path), model, `--resume ${path}`);
  const tag = model.metadata[EPOCH_KEY];
  if (!embedded && tag !== positionTag(state))
    throw new ReproError(
      `--resume ${path}: the model is from epoch ${tag ?? '?'} but ${sidecarPath(path)} is from epoch ${positionTag(state)}; the checkpoint was interrupted while saving`,
    );
  delete model.metadata[STATE_KEY];
  delete model.metadata[EPOCH_KEY];
  return { model, state };
}
