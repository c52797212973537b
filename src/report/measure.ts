/**
 * One report row for a saved model: accuracy on the test samples, params / nonzeros / MACs, the size of its file,
 * ORT latency, and — for a compressed model — its latency timed alternately with the dense model's, its output check and per-layer changes against the dense model.
 */
import { statSync } from 'node:fs';
import { modelMetrics } from '../analysis/metrics.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { evaluate } from '../runtime/evaluate.js';
import { rowLatency } from './latency.js';
import { modelChanges, outputCheck } from './output-check.js';
import type { MethodResult } from './schema.js';

export interface MeasureModelInput {
  method: string;
  label: string;
  graph: Graph;
  /** The saved .onnx file (its size is the size on disk). */
  file: string;
  /** How the report refers to the file (e.g. relative to the report's folder). */
  model?: string;
  test: Dataset;
  latencyBatch?: number;
  latencyIters?: number;
  /** The dense model and its logits on `test`: adds the output check and the per-layer changes. */
  dense?: { graph: Graph; logits: { logits: Float32Array; classes: number } };
  notes?: string;
  extra?: Record<string, number | string | boolean>;
}

export async function measureModel(m: MeasureModelInput): Promise<MethodResult> {
  const ev = await evaluate(m.graph, m.test, { batchSize: 256 });
  const t = modelMetrics(m.graph).totals;
  const lat = await rowLatency(m.graph, {
    batch: m.latencyBatch ?? 1,
    iters: m.latencyIters ?? 20,
    dense: m.dense?.graph,
  });
  const row: MethodResult = {
    method: m.method,
    label: m.label,
    model: m.model ?? m.file,
    accuracy: ev.accuracy,
    params: t.params,
    nonzeros: t.nonzeros,
    macs: t.macs,
    bytes: t.bytes,
    fileBytes: statSync(m.file).size,
    ...lat,
  };
  if (m.dense) {
    row.outputCheck = await outputCheck(m.dense.logits, m.graph, m.test);
    row.changes = modelChanges(m.dense.graph, m.graph);
  }
  if (m.notes) row.notes = m.notes;
  if (m.extra) row.extra = m.extra;
  return row;
}
