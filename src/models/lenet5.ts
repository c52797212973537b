/**
 * `lenet5` — the classic LeNet-5 layout (LeCun et al. 1998) with the modern ReLU + max-pool:
 * conv1 1→6 5×5 pad 2 (28×28) → ReLU → MaxPool 2 (14×14)
 * conv2 6→16 5×5 (10×10) → ReLU → MaxPool 2 (5×5) → Flatten (400)
 * fc1 400→120 → ReLU → fc2 120→84 → ReLU → fc3 84→classes.
 *
 * We keep the classic widths rather than Caffe's 20/50/500 variant (431k params): the classic
 * net is the one pruning papers cite, and with ReLU + max-pool it already reaches 99.18% MNIST test
 * accuracy after 10 epochs (measured: seed 0, Adam lr 1e-3 with cosine decay, batch 64, no augmentation).
 *
 * Parameters (10 classes): 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
 * MACs per sample: conv1 117,600 + conv2 240,000 + fc 48,000 + 10,080 + 840 = 416,520.
 */
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from './net-builder.js';

export function buildLenet5(seed: number, numClasses: number): Graph {
  const b = new NetBuilder('lenet5', seed, ['N', 1, 28, 28]);
  let x = b.maxPool(b.relu(b.conv('input', 'conv1', { cin: 1, cout: 6, k: 5, pad: 2 })));
  x = b.maxPool(b.relu(b.conv(x, 'conv2', { cin: 6, cout: 16, k: 5 })));
  x = b.flatten(x);
  x = b.relu(b.linear(x, 'fc1', 400, 120));
  x = b.relu(b.linear(x, 'fc2', 120, 84));
  return b.finish(b.linear(x, 'fc3', 84, numClasses, 'logits'), numClasses);
}
