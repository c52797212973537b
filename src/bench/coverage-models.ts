/**
 * The models of `reprune bench coverage`: torchvision classifiers at small sizes (64×64, Inception-v3 at 96×96 since
 * it needs ≥ 75 px) with small width multipliers where torchvision has one, plus an FPN detector head and a U-Net
 * (bench/custom_models.py). Each is exported twice: BatchNorm folded into the convs (PyTorch's default) and kept.
 */
import type { TorchvisionSpec } from './torch.js';

export interface CoverageModel {
  /** Name used by --models and in the matrix. */
  name: string;
  /** torchvision builder (or the custom model's key). */
  arch: string;
  custom?: string;
  size: number;
  opset?: number;
  kwargs?: Record<string, unknown>;
  smallClassifier?: number;
  /** Why the export deviates from torchvision's defaults (shown under the matrix). */
  note?: string;
}

export const COVERAGE_MODELS: CoverageModel[] = [
  { name: 'resnet18', arch: 'resnet18', size: 64 },
  { name: 'resnet50', arch: 'resnet50', size: 64 },
  { name: 'resnext50_32x4d', arch: 'resnext50_32x4d', size: 64 },
  { name: 'wide_resnet50_2', arch: 'wide_resnet50_2', size: 64 },
  { name: 'vgg11_bn', arch: 'vgg11_bn', size: 64, smallClassifier: 256, note: 'classifier: global pool, 256 wide' },
  { name: 'alexnet', arch: 'alexnet', size: 64, smallClassifier: 256, note: 'classifier: global pool, 256 wide' },
  { name: 'squeezenet1_1', arch: 'squeezenet1_1', size: 64 },
  { name: 'densenet121', arch: 'densenet121', size: 64 },
  { name: 'mobilenet_v2', arch: 'mobilenet_v2', size: 64, kwargs: { width_mult: 0.5 }, note: 'width 0.5' },
  { name: 'mobilenet_v3_small', arch: 'mobilenet_v3_small', size: 64, kwargs: { width_mult: 0.5 }, note: 'width 0.5' },
  { name: 'mnasnet0_5', arch: 'mnasnet0_5', size: 64 },
  { name: 'shufflenet_v2_x0_5', arch: 'shufflenet_v2_x0_5', size: 64 },
  { name: 'efficientnet_b0', arch: 'efficientnet_b0', size: 64 },
  { name: 'regnet_y_400mf', arch: 'regnet_y_400mf', size: 64 },
  { name: 'googlenet', arch: 'googlenet', size: 64 },
  { name: 'inception_v3', arch: 'inception_v3', size: 96, note: '96×96 (needs ≥ 75 px)' },
  { name: 'convnext_tiny', arch: 'convnext_tiny', size: 64, opset: 17, note: 'opset 17 (LayerNormalization)' },
  { name: 'fpn', arch: 'fpn', custom: 'fpn', size: 64, note: 'bench/custom_models.py: RetinaNet-style, shared head' },
  { name: 'unet', arch: 'unet', custom: 'unet', size: 64, note: 'bench/custom_models.py: ConvTranspose + concat' },
];

/** Three small models of different families whose LOP expansion is cheap (no layer wider than 512), for a smoke run. */
export const QUICK_MODELS = ['squeezenet1_1', 'fpn', 'unet'];

export type BnVariant = 'folded' | 'kept';

/** The export spec of one model in one BatchNorm variant. */
export function exportSpec(m: CoverageModel, bn: BnVariant, file: string): TorchvisionSpec {
  return {
    arch: m.arch,
    file,
    size: m.size,
    classes: 10,
    keepBn: bn === 'kept',
    trainedLike: true,
    opset: m.opset ?? 13,
    kwargs: m.kwargs,
    custom: m.custom,
    smallClassifier: m.smallClassifier,
  };
}
