/**
 * `vgg-small` — a VGG-style net for 28×28 inputs, laid out like torchvision's `vgg*_bn`:
 * features = [32, 32, M, 64, 64, M, 128, 128, M], each conv 3×3 pad 1 (no bias) → BN → ReLU,
 * M = MaxPool 2 (28 → 14 → 7 → 3); classifier = fc 1152→512 → ReLU → 512→512 → ReLU → 512→classes.
 * Names follow the Sequential indices: `features.0` conv, `features.1` BN, ..., `classifier.0/2/4`.
 *
 * Parameters (10 classes): conv 285,984 + BN γ/β 896 + fc 590,336 + 262,656 + 5,130 = 1,145,002
 * (plus 896 BN running statistics, which are state, not parameters).
 * MACs per sample: conv 7,451,136 + 10,838,016 + 10,838,016 = 29,127,168; fc 857,088; total 29,984,256.
 */
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from './net-builder.js';

const CFG: Array<number | 'M'> = [32, 32, 'M', 64, 64, 'M', 128, 128, 'M'];

export function buildVggSmall(seed: number, numClasses: number): Graph {
  const b = new NetBuilder('vgg-small', seed, ['N', 1, 28, 28]);
  let x = 'input';
  let c = 1;
  let i = 0;
  let hw = 28;
  for (const v of CFG) {
    if (v === 'M') {
      x = b.maxPool(x, 2, 2, `features.${i}`);
      i += 1;
      hw = Math.floor(hw / 2);
      continue;
    }
    x = b.conv(x, `features.${i}`, { cin: c, cout: v, k: 3, pad: 1, bias: false });
    x = b.bn(x, `features.${i + 1}`, v);
    x = b.relu(x, `features.${i + 2}`);
    i += 3;
    c = v;
  }
  x = b.flatten(x);
  x = b.relu(b.linear(x, 'classifier.0', c * hw * hw, 512), 'classifier.1');
  x = b.relu(b.linear(x, 'classifier.2', 512, 512), 'classifier.3');
  return b.finish(b.linear(x, 'classifier.4', 512, numClasses, 'logits'), numClasses);
}
