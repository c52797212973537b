/**
 * `mlp` — LeNet-300-100 (LeCun et al. 1998; the standard pruning benchmark of Han et al. 2015).
 * input [N, 784] → fc1 300 → ReLU → fc2 100 → ReLU → fc3 classes.
 *
 * Parameters (10 classes): 235,500 + 30,100 + 1,010 = 266,610.
 * MACs per sample: 235,200 + 30,000 + 1,000 = 266,200.
 */
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from './net-builder.js';

export function buildMlp(seed: number, numClasses: number): Graph {
  const b = new NetBuilder('mlp', seed, ['N', 784]);
  let x = b.relu(b.linear('input', 'fc1', 784, 300));
  x = b.relu(b.linear(x, 'fc2', 300, 100));
  return b.finish(b.linear(x, 'fc3', 100, numClasses, 'logits'), numClasses);
}
