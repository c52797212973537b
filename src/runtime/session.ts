import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type ort from 'onnxruntime-node';
import { ReproError } from '../util/errors.js';
import { setLinalgThreads } from '../linalg/gemm-parallel.js';
import type { Graph } from '../ir/graph.js';
import { graphFingerprint } from '../ir/fingerprint.js';
import type { DType, Tensor, TensorData } from '../ir/tensor.js';
import { encodeModel } from '../onnx/encode.js';
import { EXTERNAL_DATA_THRESHOLD, initializerBytes, saveOnnxExternal } from '../onnx/external.js';
import { loadOrt, ortModule } from './ort.js';

export type ExecutionProvider = 'cpu' | 'cuda';

export interface RuntimeOptions {
  /** Intra-op threads (default: all cores). */
  threads?: number;
  ep?: ExecutionProvider;
  /** ORT graph optimization level (default 'all'). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

let defaults: Required<RuntimeOptions> = { threads: os.availableParallelism(), ep: 'cpu', optimization: 'all' };

/** Process-wide defaults, set from the CLI's --threads / --ep flags. */
export function setRuntimeDefaults(opts: RuntimeOptions): void {
  defaults = { ...defaults, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) };
  // The large float64 products (REAP's Grams and inverses) use the same thread budget as ONNX Runtime.
  if (opts.threads !== undefined) setLinalgThreads(opts.threads);
}
export function runtimeDefaults(): Required<RuntimeOptions> {
  return { ...defaults };
}

/** A compiled graph: feed IR tensors by name, get IR tensors back. */
export class Runner {
  constructor(
    readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {}

  async run(feeds: Record<string, Tensor>, outputs?: string[]): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = toOrt(t);
    let res: ort.InferenceSession.OnnxValueMapType;
    try {
      res = outputs ? await this.session.run(ortFeeds, outputs) : await this.session.run(ortFeeds);
    } catch (e) {
      throw new ReproError(`ONNX Runtime failed to run the model: ${(e as Error).message.split('\n')[0]}`);
    }
    const out: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(res)) out[k] = fromOrt(v as ort.Tensor);
    return out;
  }

  /** Free the session's weights and memory arena now (a runner of `compileOnce`; a cached one may be shared). */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** IR tensor → ORT tensor (shares the data). Only valid once a session exists, i.e. after `compile()`. */
export function toOrt(t: Tensor): ort.Tensor {
  const type = t.dtype === 'bool' ? 'bool' : t.dtype;
  return new (ortModule().Tensor)(type as 'float32', t.data as Float32Array, t.dims);
}

export function fromOrt(v: ort.Tensor): Tensor {
  const dtype = v.type as DType;
  return { dtype, dims: [...v.dims], data: v.data as TensorData };
}

const cache = new Map<string, Promise<Runner>>();
const CACHE_LIMIT = 16;

/**
 * Compile a graph to an ORT session; identical graphs and options share one session. The cache key is a hash of
 * the graph's content, so a cache hit costs one pass over the weights and no protobuf encoding; the model is
 * encoded only when a new session has to be created.
 */
export function compile(g: Graph, opts: RuntimeOptions = {}): Promise<Runner> {
  const o = resolved(opts);
  const key = `${graphFingerprint(g)}:${JSON.stringify(o)}`;
  let p = cache.get(key);
  if (!p) {
    p = createRunner(g, o);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
    if (cache.size > CACHE_LIMIT) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
    }
  }
  return p;
}

/**
 * Compile a graph that will run once (a candidate of a search, a graph with extra outputs): no cache entry, and the
 * caller releases it. Cached, such sessions each kept a large model's weights and its batch-sized memory arena:
 * sixteen ResNet-50 candidates at 224 px held 11 GB.
 */
export function compileOnce(g: Graph, opts: RuntimeOptions = {}): Promise<Runner> {
  return createRunner(g, resolved(opts));
}

function resolved(opts: RuntimeOptions): Required<RuntimeOptions> {
  return {
    ...defaults,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as Required<RuntimeOptions>;
}

/**
 * ORT takes the model as bytes, or, when its weights are too large for one protobuf message, as a file written with
 * external data in a private temp folder (removed once the session holds the weights).
 */
async function createRunner(g: Graph, o: Required<RuntimeOptions>): Promise<Runner> {
  if (initializerBytes(g) <= EXTERNAL_DATA_THRESHOLD) return createRunnerFrom(encodeModel(g), g, o);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-ort-'));
  try {
    const file = path.join(dir, 'model.onnx');
    saveOnnxExternal(g, file);
    return await createRunnerFrom(file, g, o);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function createRunnerFrom(model: Uint8Array | string, g: Graph, o: Required<RuntimeOptions>): Promise<Runner> {
  const runtime = await loadOrt();
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: o.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: o.optimization,
    executionProviders: [o.ep],
  };
  let session: ort.InferenceSession;
  try {
    session = await (typeof model === 'string'
      ? runtime.InferenceSession.create(model, sessionOptions)
      : runtime.InferenceSession.create(model, sessionOptions));
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    if (o.ep === 'cuda') {
      throw new ReproError(
        `--ep cuda: ONNX Runtime could not start the CUDA execution provider (${msg}); install onnxruntime-node's CUDA binaries (npm install onnxruntime-node --onnxruntime-node-install=cuda12) or use --ep cpu`,
      );
    }
    throw new ReproError(`ONNX Runtime rejected graph '${g.name}': ${msg}`);
  }
  return new Runner(session, session.inputNames, session.outputNames);
}

export function clearSessionCache(): void {
  cache.clear();
}
