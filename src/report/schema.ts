/**
 * The results a run writes to report.json and the HTML report is built from. Every number here was measured
 * by the run that wrote it; `command` says how to reproduce it.
 */
export interface LayerStat {
  name: string;
  params: number;
  nonzeros: number;
}

export interface MethodResult {
  /** Stable key, e.g. 'dense', 'tile', 'tiletrans', 'l1-pro', 'reap-pro', 'lop', 'unify-admm', 'tedepr'. */
  method: string;
  label: string;
  /** Output model file, relative to the report's folder. */
  model?: string;
  accuracy: number;
  params: number;
  nonzeros: number;
  macs: number;
  bytes: number;
  /** ORT latency per batch, milliseconds. */
  latencyMs?: number;
  layers?: LayerStat[];
  notes?: string;
  /** Method-specific numbers (importance kept, bits, multiplies, ...). */
  extra?: Record<string, number | string | boolean>;
}

export interface CurvePoint {
  series: string;
  sparsity: number;
  accuracy: number;
}

export interface Heatmap {
  title: string;
  layer: string;
  /** Importance per tile (rows × cols of tiles), and whether each tile was pruned. */
  values: number[][];
  pruned: boolean[][];
}

export interface ScalingPoint {
  n: number;
  variant: string;
  seconds: number;
}

export interface RunResults {
  version: 1;
  createdAt: string;
  command: string;
  machine: string;
  dataset: string;
  latencyBatch: number;
  baseline: MethodResult;
  methods: MethodResult[];
  curves: CurvePoint[];
  heatmaps: Heatmap[];
  scaling: ScalingPoint[];
}
