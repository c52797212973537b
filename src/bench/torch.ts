/**
 * PyTorch as a peer for benches (never a dependency): find a Python that imports torch and torchvision
 * (Debian: `apt-get install -y python3-torch python3-torchvision python3-onnx`) and export torchvision models
 * to ONNX with bench/export_torchvision.py. Benches call `torchSkipReason()` first and print it when set.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What bench/export_torchvision.py exports: one torchvision architecture at one input size. */
export interface TorchvisionSpec {
  /** torchvision.models function name, e.g. 'resnet50', 'mobilenet_v2'. */
  arch: string;
  /** Absolute output path of the ONNX file. */
  file: string;
  /** Square input side in pixels (default 64). */
  size?: number;
  /** Output classes (default 10). */
  classes?: number;
  /** Keep BatchNormalization nodes (PyTorch's TrainingMode.PRESERVE) instead of folding them into convs. */
  keepBn?: boolean;
  /** Random BN statistics and affine parameters, so no tensors are identical (default true). */
  trainedLike?: boolean;
  opset?: number;
  /** Extra keyword arguments of the torchvision builder, e.g. { width_mult: 0.5 }. */
  kwargs?: Record<string, unknown>;
  seed?: number;
  /** A model of bench/custom_models.py ('fpn', 'unet') instead of torchvision's `arch` (then only a label). */
  custom?: string;
  /** VGG/AlexNet: global pooling and this hidden width of the classifier (bench/custom_models.py). */
  smallClassifier?: number;
}

/** One exported model: its file and PyTorch's parameter count, or the exporter's one-line error. */
export interface TorchvisionExport {
  file: string;
  arch: string;
  params?: number;
  error?: string;
}

let found: string | null | undefined;

/** A Python that imports torch and torchvision: $REPRUNE_PYTHON, python3 on PATH, or Debian's /usr/bin/python3. */
export function torchPython(): string | undefined {
  if (found !== undefined) return found ?? undefined;
  const candidates = [process.env.REPRUNE_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  found = null;
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import torch, torchvision'], { stdio: 'ignore' });
      found = py;
      break;
    } catch {
      /* try the next */
    }
  }
  return found ?? undefined;
}

/** Why a bench that needs PyTorch must skip, or undefined when it can run. */
export function torchSkipReason(): string | undefined {
  if (torchPython()) return undefined;
  return 'PyTorch not found (no python3 imports torch and torchvision); install the peers with: apt-get install -y python3-torch python3-torchvision python3-onnx';
}

/** Export `specs` in one Python process; a model that fails to export carries its error instead of params. */
export function exportTorchvision(specs: TorchvisionSpec[]): TorchvisionExport[] {
  const py = torchPython();
  if (!py) throw new Error(torchSkipReason());
  const script = fileURLToPath(new URL('../../bench/export_torchvision.py', import.meta.url));
  const r = spawnSync(py, [script, JSON.stringify(specs)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`export_torchvision.py failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TorchvisionExport);
}
