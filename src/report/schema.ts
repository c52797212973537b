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
  /**
   * The dense model's latency over this one's, both timed alternately in one process (dense, this, dense, …; the
   * medians of as many pairs as latency runs), so drift of a shared machine hits both. Absent for the dense model and
   * for models that do not derive from it.
   */
  speedup?: number;
  layers?: LayerStat[];
  notes?: string;
  /** Method-specific numbers (importance kept, bits, multiplies, ...). */
  extra?: Record<string, number | string | boolean>;
  /** Size of the saved .onnx file in bytes (what the accuracy-vs-cost chart plots as size on disk). */
  fileBytes?: number;
  /** This model's logits against the dense model's on the same samples. */
  outputCheck?: OutputCheck;
  /** Per-layer shapes, params and MACs against the dense model, and op counts of both graphs. */
  changes?: ModelChanges;
}

/** How far a compressed model's outputs are from the dense model's (as onnxsim checks its rewrites). */
export interface OutputCheck {
  samples: number;
  /** max and mean over all samples and classes of |logit − dense logit|. */
  maxAbs: number;
  meanAbs: number;
  /** Fraction of samples whose argmax equals the dense model's. */
  top1Agreement: number;
}

export interface LayerSide {
  op: string;
  weightShape: number[];
  params: number;
  nonzeros: number;
  macs: number | null;
}

/** One layer (by node name) before and after; a side is absent when the layer exists in only one model. */
export interface LayerChange {
  name: string;
  before?: LayerSide;
  after?: LayerSide;
}

export interface ModelChanges {
  layers: LayerChange[];
  /** Node count per op type, dense and compressed. */
  ops: Array<{ op: string; before: number; after: number }>;
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
