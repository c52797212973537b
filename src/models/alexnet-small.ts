/**
 * `alexnet-small` — the layer mix of AlexNet (Krizhevsky et al. 2012) scaled to 28×28: five convs
 * (two large-kernel, three 3×3) with three max-pools, then three fully connected layers that hold
 * most of the parameters, as in the original. Dropout is omitted (it is the identity at inference).
 * features: conv 1→32 5×5 pad 2 → ReLU → MaxPool 2 (14×14) → conv 32→64 5×5 pad 2 → ReLU →
 * MaxPool 2 (7×7) → conv 64→128 3×3 → ReLU → conv 128→128 3×3 → ReLU → conv 128→64 3×3 → ReLU →
 * MaxPool 2 (3×3); classifier: fc 576→1024 → ReLU → 1024→1024 → ReLU → 1024→classes.
 * Names follow torchvision's Sequential indices (`features.0`, `features.3`, ..., `classifier.4`).
 *
 * Parameters (10 classes): conv 347,328 + fc 590,848 + 1,049,600 + 10,250 = 1,998,026.
 * MACs per sample: conv 627,200 + 10,035,200 + 3,612,672 + 7,225,344 + 3,612,672 = 25,113,088;
 * fc 1,648,640; total 26,761,728.
 */
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from './net-builder.js';

export function buildAlexnetSmall(seed: number, numClasses: number): Graph {
  const b = new NetBuilder('alexnet-small', seed, ['N', 1, 28, 28]);
  let x = b.relu(b.conv('input', 'features.0', { cin: 1, cout: 32, k: 5, pad: 2 }), 'features.1');
  x = b.maxPool(x, 2, 2, 'features.2');
  x = b.relu(b.conv(x, 'features.3', { cin: 32, cout: 64, k: 5, pad: 2 }), 'features.4');
  x = b.maxPool(x, 2, 2, 'features.5');
  x = b.relu(b.conv(x, 'features.6', { cin: 64, cout: 128, k: 3, pad: 1 }), 'features.7');
  x = b.relu(b.conv(x, 'features.8', { cin: 128, cout: 128, k: 3, pad: 1 }), 'features.9');
  x = b.relu(b.conv(x, 'features.10', { cin: 128, cout: 64, k: 3, pad: 1 }), 'features.11');
  x = b.flatten(b.maxPool(x, 2, 2, 'features.12'));
  x = b.relu(b.linear(x, 'classifier.0', 64 * 3 * 3, 1024), 'classifier.1');
  x = b.relu(b.linear(x, 'classifier.2', 1024, 1024), 'classifier.3');
  return b.finish(b.linear(x, 'classifier.4', 1024, numClasses, 'logits'), numClasses);
}
