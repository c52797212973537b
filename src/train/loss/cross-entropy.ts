/** Softmax cross-entropy and MSE, appended to a forward graph as ONNX nodes. */
import { A } from '../../ir/attrs.js';
import type { Graph } from '../../ir/graph.js';
import { f32, i64vec } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { ensureInput, mulScalar, op, reduce, setShape, staticDims } from './ops.js';

export interface CrossEntropyOptions {
  /** 'index': int64 class ids [B] (expanded in-graph by OneHot); 'onehot': float32 targets [B, K] (default). */
  labelKind?: 'index' | 'onehot';
  /** Label smoothing ε: target = (1−ε)·onehot + ε/K. */
  smoothing?: number;
}

/**
 * Mean over the batch of −Σ_k t_k · log_softmax(logits)_k. Declares the labels input if missing.
 * Returns the scalar loss value name.
 */
export function addCrossEntropy(g: Graph, logits: string, labels = 'labels', opts: CrossEntropyOptions = {}): string {
  const dims = staticDims(g, logits);
  if (dims.length !== 2)
    throw new ReproError(`cross-entropy: logits '${logits}' must be [batch, classes], got [${dims.join(', ')}]`);
  const [b, k] = dims as [number, number];
  const eps = opts.smoothing ?? 0;
  if (!(eps >= 0 && eps < 1)) throw new ReproError(`--label-smoothing ${eps}: must be in [0, 1)`);
  let target: string;
  if ((opts.labelKind ?? 'onehot') === 'index') {
    ensureInput(g, labels, [b], 'int64');
    const depth = g.addInitializer('loss.depth', i64vec([k]));
    const values = g.addInitializer('loss.onehot_values', f32([2], [eps / k, 1 - eps + eps / k]));
    target = op(g, 'OneHot', [labels, depth, values], { axis: A.int(-1) }, 'loss.ce');
  } else {
    ensureInput(g, labels, [b, k]);
    target =
      eps > 0
        ? op(
            g,
            'Add',
            [mulScalar(g, labels, 1 - eps, 'loss.ce'), g.addInitializer('loss.ce.smooth', f32([], [eps / k]))],
            {},
            'loss.ce',
          )
        : labels;
  }
  setShape(g, target, [b, k]);
  const logp = setShape(g, op(g, 'LogSoftmax', [logits], { axis: A.int(1) }, 'loss.ce'), [b, k]);
  const prod = setShape(g, op(g, 'Mul', [target, logp], {}, 'loss.ce'), [b, k]);
  const total = setShape(g, reduce(g, 'ReduceSum', prod, undefined, false, 'loss.ce'), []);
  return setShape(g, mulScalar(g, total, -1 / b, 'loss.ce'), []);
}

/** Mean squared error between two same-shaped values (target typically a graph input fed each step). */
export function addMse(g: Graph, pred: string, target: string): string {
  const dims = staticDims(g, pred);
  if (!g.valueNames().has(target)) ensureInput(g, target, dims);
  const d = setShape(g, op(g, 'Sub', [pred, target], {}, 'loss.mse'), dims);
  const sq = setShape(g, op(g, 'Mul', [d, d], {}, 'loss.mse'), dims);
  return setShape(g, reduce(g, 'ReduceMean', sq, undefined, false, 'loss.mse'), []);
}
