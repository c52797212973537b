/**
 * Replace the Gemm / MatMul / Conv layers of a model by tensor-train (or tensor-ring) layers.
 * Fully connected layers use the chained input contraction (`emitTtChain`); convs rebuild their weight from the
 * cores inside the graph (`emitTtReconstruct` → Reshape → the original Conv). Both train with src/autodiff.
 * A layer is converted only if its TT form has fewer parameters than its dense weight (× `maxRatio`).
 */
import { attrFloat, attrInt } from '../../ir/attrs.js';
import type { Graph, Node } from '../../ir/graph.js';
import { type GemmView, gemmViewOf, readGemmMatrix } from '../../ir/gemm-view.js';
import { inferShapes } from '../../ir/shape/index.js';
import { f32 } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { randomCores, ttSvd } from './cores.js';
import { emitTtChain, emitTtReconstruct } from './emit.js';
import { coreDims, describeSpec, makeTtSpec, ttParamCount, type TtSpec } from './spec.js';

export interface TtConvertOptions {
  /** Internal bond rank (--tt-rank). */
  rank: number;
  /** Tensor ring with this cyclic rank (default: plain TT). */
  ringRank?: number;
  /** Cores per layer, or 'auto' (largest of 4, 3, 2 with factors ≥ 2). */
  cores?: number | 'auto';
  /** 'svd': TT-SVD of the current weight (compress a trained model); 'random': fresh variance-matched cores. */
  init?: 'svd' | 'random';
  /** Variance of the reconstructed weight for 'random': 'dense' = the layer's current weight variance
   *  (same scale as the model's own init, default), 'kaiming' = 2 / fan_in. */
  randomVariance?: 'dense' | 'kaiming';
  seed?: number;
  /** Convert only these layers (node names or weight names); default all eligible. */
  layers?: string[];
  /** Convert only if TT params < maxRatio · dense params (default 1). */
  maxRatio?: number;
  /** Fully connected layers: 'chain' (default) or 'reconstruct' (rebuild W, then the original Gemm/MatMul). */
  fcForm?: TtForm;
  /** Per fully connected layer (node name), overriding `fcForm` (e.g. chosen by measured latency, choose-form.ts). */
  fcForms?: Record<string, TtForm>;
}

export type TtForm = 'chain' | 'reconstruct';

export interface TtLayer {
  node: string;
  op: string;
  /** The dense weight this layer replaced (no longer in the graph). */
  weight: string;
  weightDims: number[];
  form: 'chain' | 'reconstruct';
  spec: TtSpec;
  cores: string[];
  denseParams: number;
  ttParams: number;
  /** The replaced node (to rebuild the dense model). */
  original: Node;
}

export const TT_METADATA_KEY = 'reprune.tt';

function variance(w: Float32Array): number {
  let s = 0,
    s2 = 0;
  for (const v of w) {
    s += v;
    s2 += v * v;
  }
  const mean = s / w.length;
  return Math.max(s2 / w.length - mean * mean, 1e-12);
}

/** Why a node cannot become a TT layer (undefined = it can). */
function unsupportedReason(node: Node): string | undefined {
  if (node.opType === 'Gemm') {
    if (attrInt(node.attrs, 'transA', 0) !== 0) return 'transA=1';
    if (attrFloat(node.attrs, 'alpha', 1) !== 1 || attrFloat(node.attrs, 'beta', 1) !== 1) return 'alpha/beta ≠ 1';
  }
  if (node.opType === 'MatMul' && node.inputs[1] === undefined) return 'no weight';
  return undefined;
}

/** A converted copy of `g0` and its TT layers (also stored as JSON in its `metadata['reprune.tt']`); `g0` is untouched. */
export function ttConvert(g0: Graph, opts: TtConvertOptions): { graph: Graph; layers: TtLayer[] } {
  const g = g0.clone(true);
  const layers: TtLayer[] = [];
  const wanted = opts.layers ? new Set(opts.layers) : undefined;
  const rank2 = matrixInputs(g0);
  for (const node of [...g.nodes]) {
    const view = gemmViewOf(g, node);
    if (!view || unsupportedReason(node)) continue;
    if (wanted && !wanted.has(node.name) && !wanted.has(view.weight)) continue;
    if ((g.index().consumers.get(view.weight) ?? []).length !== 1) continue; // shared weight: leave dense
    // The chain contracts a [batch, features] input; a MatMul over [N, H, W, C] (ConvNeXt's MLP) or tokens rebuilds W.
    const chainable = node.opType === 'Gemm' || rank2.has(node.inputs[0]!);
    // The layer index seeds the random cores, so each converted layer gets its own stream.
    const fcForm = chainable ? (opts.fcForms?.[node.name] ?? opts.fcForm) : 'reconstruct';
    const layer = convertLayer(g, node, view, { ...opts, fcForm }, layers.length);
    if (layer) layers.push(layer);
  }
  if (layers.length === 0) {
    throw new ReproError(
      `--tt-rank ${opts.rank}: no layer of model '${g.name}' gets smaller as a tensor-train; lower the rank or use --dense`,
    );
  }
  g.topoSort();
  g.metadata[TT_METADATA_KEY] = JSON.stringify(
    layers.map((l) => ({ ...l, spec: { ...l.spec, desc: describeSpec(l.spec) } })),
  );
  return { graph: g, layers };
}

/** Values known to be rank 2 (so a MatMul on them is a plain fully connected layer). */
function matrixInputs(g0: Graph): Set<string> {
  const shaped = g0.clone(true);
  inferShapes(shaped, { batch: 1 });
  const out = new Set<string>();
  for (const v of [...shaped.inputs, ...shaped.valueInfo.values()]) if (v.shape?.length === 2) out.add(v.name);
  return out;
}

/** Replaces one layer by its TT form, if that has fewer parameters than the dense weight (× maxRatio). */
function convertLayer(
  g: Graph,
  node: Node,
  view: GemmView,
  opts: TtConvertOptions,
  index: number,
): TtLayer | undefined {
  const spec = makeTtSpec(view.rows, view.cols, { rank: opts.rank, ringRank: opts.ringRank, cores: opts.cores });
  const denseParams = view.rows * view.cols;
  const ttParams = ttParamCount(spec);
  if (ttParams >= denseParams * (opts.maxRatio ?? 1)) return undefined;
  const wt = g.initializers.get(view.weight)!;
  const dense = readGemmMatrix(wt, view);
  const values =
    (opts.init ?? 'random') === 'svd'
      ? ttSvd(dense, spec)
      : randomCores(
          spec,
          opts.randomVariance === 'kaiming' ? 2 / view.cols : variance(dense),
          (opts.seed ?? 0) * 7919 + index,
        );
  const base = `${node.name}.tt`;
  const cores = values.map((v, k) => g.addInitializer(`${view.weight}.tt${k}`, f32(coreDims(spec, k), v)));
  const form = node.opType === 'Conv' || opts.fcForm === 'reconstruct' ? 'reconstruct' : 'chain';
  const out = node.outputs[0]!;
  g.nodes = g.nodes.filter((n) => n !== node);
  if (form === 'chain') {
    const y = emitTtChain(g, node.inputs[0]!, spec, cores, base);
    const bias = node.opType === 'Gemm' ? node.inputs[2] : undefined;
    if (bias) g.add('Add', [y, bias], {}, { name: `${base}.bias`, outputs: [out] });
    else g.add('Identity', [y], {}, { name: `${base}.out`, outputs: [out] });
  } else {
    const inputs = [...node.inputs];
    inputs[1] = reconstructWeight(g, node, view, wt.dims, spec, cores, base);
    g.nodes.push({ ...node, inputs });
  }
  g.initializers.delete(view.weight);
  g.valueInfo.delete(out);
  return {
    node: node.name,
    op: node.opType,
    weight: view.weight,
    weightDims: [...wt.dims],
    form,
    spec,
    cores,
    denseParams,
    ttParams,
    original: node,
  };
}

/** The dense weight rebuilt from the cores in the graph, in the layout the original node reads (Conv dims, or Wᵀ). */
function reconstructWeight(
  g: Graph,
  node: Node,
  view: GemmView,
  dims: number[],
  spec: TtSpec,
  cores: string[],
  base: string,
): string {
  const w = emitTtReconstruct(g, spec, cores, base); // [M, N]
  if (node.opType === 'Conv') {
    const shape = g.addInitializer(`${base}.wshape`, {
      dtype: 'int64',
      dims: [dims.length],
      data: BigInt64Array.from(dims.map(BigInt)),
    });
    return g.add('Reshape', [w, shape], {}, { name: `${base}.wconv` })[0]!;
  }
  if (view.transposed) return g.add('Transpose', [w], {}, { name: `${base}.wt` })[0]!;
  return w;
}

/** The TT layers recorded in a model's metadata (empty for a dense model). */
export function ttLayersOf(g: Graph): TtLayer[] {
  const raw = g.metadata[TT_METADATA_KEY];
  if (!raw) return [];
  try {
    return JSON.parse(raw) as TtLayer[];
  } catch {
    throw new ReproError(
      `model '${g.name}': metadata '${TT_METADATA_KEY}' is not valid JSON; re-export the model with reprune`,
    );
  }
}
