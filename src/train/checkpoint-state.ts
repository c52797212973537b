/**
 * The training state a checkpoint carries, as JSON, and its strict reading: every field is checked against a
 * schema (types, ranges, no unknown or prototype keys), the optimizer buffers against the model's parameter sizes,
 * and the counters against each other — so a damaged or edited state is one line naming the field, never a crash
 * in the middle of a run or a summary full of NaN.
 */
import type { Graph } from '../ir/graph.js';
import { ReproError } from '../util/errors.js';
import { parseJsonStrict, type Schema, validate } from '../util/schema.js';
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

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const count = { type: 'int', min: 0 } as const;
const finite = { type: 'number' } as const;
const fraction = { type: 'number', min: 0, max: 1 } as const;

const EPOCH_STATS: Schema = {
  type: 'object',
  fields: {
    epoch: count,
    loss: finite,
    trainAcc: fraction,
    testAcc: fraction,
    testLoss: finite,
    samplesPerSecond: { type: 'number', min: 0 },
    lr: finite,
  },
  optional: ['testAcc', 'testLoss'],
};

export const TRAIN_STATE_SCHEMA: Schema = {
  type: 'object',
  fields: {
    version: { type: 'literal', value: 1 },
    epochsDone: count,
    step: count,
    optimizer: {
      type: 'object',
      fields: {
        kind: { type: 'string' },
        t: count,
        buffers: { type: 'record', values: { type: 'string', pattern: BASE64, hint: 'base64 text' } },
      },
    },
    history: { type: 'array', items: EPOCH_STATS },
    key: {
      type: 'object',
      fields: {
        batchSize: { type: 'int', min: 1 },
        seed: { type: 'int' },
        epochs: { type: 'int', min: 1 },
        optimizer: { type: 'string' },
        params: { type: 'array', items: { type: 'string' } },
      },
    },
    partial: {
      type: 'object',
      fields: {
        steps: { type: 'int', min: 1 },
        lossSum: finite,
        hits: count,
        seen: { type: 'int', min: 1 },
        lr: finite,
      },
    },
  },
  optional: ['partial'],
};

/** JSON of a training state (optimizer buffers as base64 of their float32 bytes). */
export function encodeTrainState(state: TrainState): string {
  const buffers: Record<string, string> = {};
  for (const [k, v] of Object.entries(state.optimizer.buffers))
    buffers[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return JSON.stringify({ ...state, optimizer: { ...state.optimizer, buffers } });
}

type RawState = Omit<TrainState, 'optimizer'> & {
  optimizer: { kind: string; t: number; buffers: Record<string, string> };
};

/** The counters must agree: one history entry per finished epoch, not more epochs than the run has. */
function checkCounters(s: RawState, where: string): void {
  if (s.history.length !== s.epochsDone)
    throw new ReproError(
      `${where}: field 'history' holds ${s.history.length} epochs but 'epochsDone' says ${s.epochsDone}; the state is damaged`,
    );
  if (s.epochsDone > s.key.epochs)
    throw new ReproError(`${where}: field 'epochsDone' is ${s.epochsDone}, beyond the run's ${s.key.epochs} epochs`);
  if (s.partial && s.partial.seen < s.partial.hits)
    throw new ReproError(`${where}: field 'partial.hits' exceeds 'partial.seen'; the state is damaged`);
}

/** Each buffer `<param>/<slot>` must belong to a trained parameter of `model` and hold exactly its float32 values. */
function decodeBuffers(s: RawState, model: Graph, where: string): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = Object.create(null);
  const params = new Set(s.key.params);
  for (const [k, b64] of Object.entries(s.optimizer.buffers)) {
    const param = k.slice(0, k.lastIndexOf('/'));
    const t = model.initializers.get(param);
    if (!params.has(param) || !t)
      throw new ReproError(
        `${where}: field 'optimizer.buffers.${k}' is for '${param}', not a trained parameter of the model`,
      );
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length !== t.data.length * 4)
      throw new ReproError(
        `${where}: field 'optimizer.buffers.${k}' holds ${bytes.length} bytes, '${param}' needs ${t.data.length * 4} (${t.data.length} float32 values)`,
      );
    const copy = new Float32Array(t.data.length);
    new Uint8Array(copy.buffer).set(bytes);
    out[k] = copy;
  }
  return out;
}

/** Parse and check a training state for `model`; `where` names the checkpoint in messages. */
export function decodeTrainState(text: string, model: Graph, where: string): TrainState {
  const raw = parseJsonStrict(text, where);
  validate(raw, TRAIN_STATE_SCHEMA, where);
  const s = raw as RawState;
  checkCounters(s, where);
  for (const p of s.key.params)
    if (!model.initializers.has(p))
      throw new ReproError(`${where}: field 'key.params' names '${p}', which the checkpoint's model does not have`);
  const buffers = decodeBuffers(s, model, where);
  return { ...s, optimizer: { ...s.optimizer, buffers: { ...buffers } } };
}
