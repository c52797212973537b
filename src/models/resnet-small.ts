/**
 * `resnet-small` — CIFAR-style ResNet-20 (He et al. 2016, §4.2) on 28×28 inputs:
 * conv1 3×3 1→16 → BN → ReLU; three stages of 3 BasicBlocks with 16 / 32 / 64 channels at
 * 28×28 / 14×14 / 7×7; GlobalAveragePool; fc 64→classes. A block is
 * ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)); the shortcut is the identity, or at the
 * first block of stages 2 and 3 a 1×1 stride-2 conv + BN projection ("option B").
 * Names follow torchvision: `layer2.0.conv1.weight`, `layer2.0.downsample.0.weight`, `fc.bias`.
 *
 * Parameters (10 classes): conv 269,968 + BN γ/β 1,568 + fc 650 = 272,186
 * (plus 1,568 BN running statistics).
 * MACs per sample: stem 112,896 + stage1 10,838,016 + stage2 10,035,200 + stage3 10,035,200 + fc 640
 * = 31,021,952.
 */
import type { Graph } from '../ir/graph.js';
import { NetBuilder } from './net-builder.js';

function basicBlock(b: NetBuilder, x: string, prefix: string, cin: number, cout: number, stride: number): string {
  let y = b.conv(x, `${prefix}.conv1`, { cin, cout, k: 3, stride, pad: 1, bias: false });
  y = b.relu(b.bn(y, `${prefix}.bn1`, cout));
  y = b.conv(y, `${prefix}.conv2`, { cin: cout, cout, k: 3, pad: 1, bias: false });
  y = b.bn(y, `${prefix}.bn2`, cout);
  let shortcut = x;
  if (stride !== 1 || cin !== cout) {
    shortcut = b.conv(x, `${prefix}.downsample.0`, { cin, cout, k: 1, stride, bias: false });
    shortcut = b.bn(shortcut, `${prefix}.downsample.1`, cout);
  }
  return b.relu(b.add(y, shortcut, `${prefix}.add`));
}

export function buildResnetSmall(seed: number, numClasses: number): Graph {
  const b = new NetBuilder('resnet-small', seed, ['N', 1, 28, 28]);
  let x = b.relu(b.bn(b.conv('input', 'conv1', { cin: 1, cout: 16, k: 3, pad: 1, bias: false }), 'bn1', 16));
  let c = 16;
  const widths = [16, 32, 64];
  widths.forEach((w, s) => {
    for (let i = 0; i < 3; i++) {
      x = basicBlock(b, x, `layer${s + 1}.${i}`, c, w, i === 0 && s > 0 ? 2 : 1);
      c = w;
    }
  });
  x = b.flatten(b.globalAvgPool(x));
  return b.finish(b.linear(x, 'fc', c, numClasses, 'logits'), numClasses);
}
