/** What every demo step gets: settings, data, the trained dense model, a logger and the report's shared plots. */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import type { CurvePoint, Heatmap, MethodResult, ScalingPoint } from '../report/schema.js';
import type { DemoConfig } from './config.js';

export interface DemoContext {
  cfg: DemoConfig;
  /** Output folder (exists). */
  dir: string;
  train: Dataset;
  test: Dataset;
  /** First `cfg.calibSamples` training samples. */
  calib: Dataset;
  /** The trained dense model; steps clone it, never modify it. */
  dense: Graph;
  denseResult?: MethodResult;
  /** The dense model's logits on `test`, computed once for every row's output check. */
  denseLogits?: { logits: Float32Array; classes: number };
  log: (line: string) => void;
  /** Show training progress (bars on a terminal, one line per epoch otherwise). */
  progress: boolean;
  curves: CurvePoint[];
  heatmaps: Heatmap[];
  scaling: ScalingPoint[];
  /** Models one step hands to a later one (the L1-pruned model LOP fine-tunes). */
  shared: { l1Pruned?: Graph };
}

/** One demo step: the report rows it produces (also used to label them if the step fails). */
export interface DemoStep {
  name: string;
  rows: Array<{ method: string; label: string }>;
  run(ctx: DemoContext): Promise<MethodResult[]>;
}
