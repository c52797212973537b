/**
 * Turn a compressed graph into a report row: save `<dir>/<method>.onnx`, evaluate it on the test set,
 * count params / nonzeros / MACs per layer, and time one ORT forward pass at the report's batch size (alternately with
 * the dense model for every model derived from it).
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { saveOnnx } from '../onnx/save.js';
import { rowLatency } from '../report/latency.js';
import { collectLogits, modelChanges, outputCheck } from '../report/output-check.js';
import { modelMetrics } from '../analysis/metrics.js';
import type { MethodResult } from '../report/schema.js';
import { evaluate } from '../runtime/evaluate.js';
import type { DemoContext } from './context.js';

export interface MeasureInput {
  method: string;
  label: string;
  graph: Graph;
  notes?: string;
  /** Override the MAC count (models whose weights are computed, e.g. TT layers; see macs.ts). */
  macs?: number;
  extra?: Record<string, number | string | boolean>;
  /** Not derived from the dense model (e.g. TEDEPR's own architecture): no output check against it. */
  ownArchitecture?: boolean;
}

export async function measureMethod(ctx: DemoContext, m: MeasureInput): Promise<MethodResult> {
  const file = `${m.method}.onnx`;
  // The output folder was checked (or --force given) before any step ran.
  saveOnnx(m.graph, path.join(ctx.dir, file), { force: true });
  const ev = await evaluate(m.graph, ctx.test, { batchSize: 500 });
  const metrics = modelMetrics(m.graph);
  const t = metrics.totals;
  // A model derived from the dense one is timed alternately with it (a speedup that machine drift hits on both sides).
  const paired = m.method !== 'dense' && !m.ownArchitecture;
  const { latencyMs, speedup } = await rowLatency(m.graph, {
    batch: ctx.cfg.latencyBatch,
    iters: ctx.cfg.latencyIters,
    dense: paired ? ctx.dense : undefined,
  });
  const r: MethodResult = {
    method: m.method,
    label: m.label,
    model: file,
    accuracy: ev.accuracy,
    params: t.params,
    nonzeros: t.nonzeros,
    macs: m.macs ?? t.macs,
    bytes: t.bytes,
    latencyMs,
    ...(speedup !== undefined ? { speedup } : {}),
    // MACs are what ORT executes (dense kernels); effectiveMacs counts only multiplications by nonzero weights.
    extra: { ...(m.macs === undefined ? { effectiveMacs: t.effectiveMacs } : {}), ...m.extra },
  };
  // Per-layer sparsity only says something for models that zero weights (not for dense or shrunk ones).
  if (t.nonzeros < t.params && metrics.layers.length)
    r.layers = metrics.layers.map((l) => ({ name: l.name, params: l.params, nonzeros: l.nonzeros }));
  if (m.notes) r.notes = m.notes;
  r.fileBytes = statSync(path.join(ctx.dir, file)).size;
  if (m.method !== 'dense' && !m.ownArchitecture) {
    ctx.denseLogits ??= await collectLogits(ctx.dense, ctx.test);
    r.outputCheck = await outputCheck(ctx.denseLogits, m.graph, ctx.test);
    r.changes = modelChanges(ctx.dense, m.graph);
  }
  ctx.log(
    `  ${m.label}: accuracy ${(100 * ev.accuracy).toFixed(2)}%, ${t.nonzeros} nonzeros of ${t.params} params, ${m.macs ?? t.macs} MACs, ${latencyMs.toFixed(2)} ms/batch${speedup !== undefined ? ` (${speedup.toFixed(2)}× the dense model, timed alternately)` : ''}`,
  );
  return r;
}

/** The row a failed step leaves in the report: zeros, and the error in the notes. */
export function failedRow(method: string, label: string, err: unknown): MethodResult {
  const msg = err instanceof Error ? err.message : String(err);
  return {
    method,
    label,
    accuracy: 0,
    params: 0,
    nonzeros: 0,
    macs: 0,
    bytes: 0,
    notes: `failed: ${msg.split('\n')[0]}`,
    extra: { failed: true },
  };
}
