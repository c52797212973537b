/**
 * Compressed vs dense, on the same samples: max and mean |Δlogits| and top-1 agreement (as onnxsim checks that a
 * rewrite kept the model's function), plus the per-layer and per-op changes the report tabulates.
 */
import { modelMetrics, type LayerMetrics } from '../analysis/metrics.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { forEachBatch } from '../runtime/capture.js';
import { ReproError } from '../util/errors.js';
import type { LayerChange, LayerSide, ModelChanges, OutputCheck } from './schema.js';

/** Logits of the first output of `g` for every sample of `ds`, row-major [samples, classes]. */
export async function collectLogits(g: Graph, ds: Dataset): Promise<{ logits: Float32Array; classes: number }> {
  const out = g.outputs[0];
  if (!out) throw new ReproError(`graph '${g.name}' has no outputs; nothing to compare`);
  let logits = new Float32Array(0);
  let classes = 0;
  await forEachBatch(g, ds, [out.name], (res, n, info) => {
    const t = res[out.name]!;
    if (classes === 0) {
      classes = t.data.length / n;
      logits = new Float32Array(ds.count * classes);
    }
    logits.set(t.data as Float32Array, info.offset * classes);
  });
  return { logits, classes };
}

/** |a − b| statistics and argmax agreement of two [samples, classes] logit arrays. */
export function compareLogits(dense: Float32Array, other: Float32Array, classes: number): OutputCheck {
  if (dense.length !== other.length)
    throw new ReproError(
      `output check: the models give ${dense.length / classes} and ${other.length / classes} rows of logits; they must share their output shape`,
    );
  const samples = dense.length / classes;
  let maxAbs = 0;
  let sum = 0;
  let agree = 0;
  for (let r = 0; r < samples; r++) {
    let ad = 0;
    let ao = 0;
    for (let c = 0; c < classes; c++) {
      const i = r * classes + c;
      const d = Math.abs(dense[i]! - other[i]!);
      if (d > maxAbs) maxAbs = d;
      sum += d;
      if (dense[i]! > dense[r * classes + ad]!) ad = c;
      if (other[i]! > other[r * classes + ao]!) ao = c;
    }
    if (ad === ao) agree++;
  }
  return { samples, maxAbs, meanAbs: samples ? sum / dense.length : 0, top1Agreement: samples ? agree / samples : 0 };
}

/** Run `g` on `ds` and compare its logits with the dense model's (`dense` from `collectLogits`). */
export async function outputCheck(
  dense: { logits: Float32Array; classes: number },
  g: Graph,
  ds: Dataset,
): Promise<OutputCheck> {
  const mine = await collectLogits(g, ds);
  if (mine.classes !== dense.classes)
    throw new ReproError(`output check: ${mine.classes} classes against the dense model's ${dense.classes}`);
  return compareLogits(dense.logits, mine.logits, dense.classes);
}

function side(l: LayerMetrics): LayerSide {
  return { op: l.op, weightShape: [...l.weightShape], params: l.params, nonzeros: l.nonzeros, macs: l.macs };
}

function opCounts(g: Graph): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of g.nodes) m.set(n.opType, (m.get(n.opType) ?? 0) + 1);
  return m;
}

/** Layers matched by node name (dense order, then layers only the compressed model has) and op counts. */
export function modelChanges(dense: Graph, g: Graph): ModelChanges {
  const before = modelMetrics(dense).layers;
  const after = new Map(modelMetrics(g).layers.map((l) => [l.name, l]));
  const layers: LayerChange[] = before.map((l) => {
    const a = after.get(l.name);
    after.delete(l.name);
    return { name: l.name, before: side(l), ...(a ? { after: side(a) } : {}) };
  });
  for (const a of after.values()) layers.push({ name: a.name, after: side(a) });
  const ob = opCounts(dense);
  const oa = opCounts(g);
  const names = [...new Set([...ob.keys(), ...oa.keys()])].sort();
  return { layers, ops: names.map((op) => ({ op, before: ob.get(op) ?? 0, after: oa.get(op) ?? 0 })) };
}
