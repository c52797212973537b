/**
 * The models of `reprune bench scale`: torchvision ResNet-18/50 and VGG-16 exported at 224 px with BatchNorm kept
 * (skipped with the reason where PyTorch is absent), a ViT-B-sized MatMul stack built here, and tiny zoo models for
 * `--quick`; each written into the bench's work folder.
 */
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import { buildModel } from '../models/index.js';
import { buildMatMulStack } from '../models/matmul-stack.js';
import { loadOnnx } from '../onnx/decode.js';
import { externalDataPath } from '../onnx/external.js';
import { saveOnnx } from '../onnx/save.js';
import { loadOrt } from '../runtime/ort.js';
import { exportTorchvision, torchSkipReason } from './torch.js';

export interface ScaleModel {
  name: string;
  file: string;
  params: number;
  bytes: number;
  /** Output classes (calibration labels stay below); torchvision exports have 1000. */
  classes?: number;
}

export const FULL_MODELS = ['resnet18', 'resnet50', 'vgg16', 'vit-b-stack'];
export const QUICK_MODELS = ['mlp', 'lenet5', 'tiny-stack'];
const TORCHVISION = new Set(['resnet18', 'resnet50', 'vgg16']);

function paramCount(g: Graph): number {
  let n = 0;
  for (const t of g.initializers.values()) if (t.dtype === 'float32') n += t.data.length;
  return n;
}

/** Built-in models written into `work`: the zoo, or a MatMul stack. */
function builtModel(name: string, work: string): ScaleModel {
  const g =
    name === 'vit-b-stack'
      ? buildMatMulStack({ width: 768, hidden: 3072, blocks: 18 })
      : name === 'tiny-stack'
        ? buildMatMulStack({ width: 64, hidden: 128, blocks: 2 })
        : buildModel(name);
  const file = path.join(work, `${name}.onnx`);
  saveOnnx(g, file);
  return { name, file, params: paramCount(g), bytes: modelBytes(file) };
}

/** Bytes of a model on disk, its external data file included. */
export function modelBytes(file: string): number {
  const data = externalDataPath(file);
  return statSync(file).size + (existsSync(data) ? statSync(data).size : 0);
}

/** The models of the run (torchvision ones exported in one Python process); skipped ones come back as notes. */
export function prepareModels(
  names: string[],
  work: string,
  log: (s: string) => void,
): { models: ScaleModel[]; skipped: string[] } {
  const skipped: string[] = [];
  const torch = names.filter((n) => TORCHVISION.has(n));
  const exported = new Map<string, ScaleModel>();
  const why = torch.length ? torchSkipReason() : undefined;
  if (why) skipped.push(...torch.map((n) => `${n}: ${why}`));
  else if (torch.length) {
    log(`[scale] exporting ${torch.join(', ')} from torchvision (224×224, BatchNorm kept)`);
    const specs = torch.map((arch) => ({
      arch,
      file: path.join(work, `${arch}.onnx`),
      size: 224,
      classes: 1000,
      keepBn: true,
    }));
    for (const e of exportTorchvision(specs)) {
      if (e.error) skipped.push(`${e.arch}: export failed (${e.error})`);
      else
        exported.set(e.arch, {
          name: e.arch,
          file: e.file,
          params: e.params ?? 0,
          bytes: modelBytes(e.file),
          classes: 1000,
        });
    }
  }
  const models: ScaleModel[] = [];
  for (const n of names) {
    if (TORCHVISION.has(n)) {
      const m = exported.get(n);
      if (m) models.push(m);
    } else models.push(builtModel(n, work));
  }
  return { models, skipped };
}

/** ONNX Runtime: create a session from the file and run it once on zeros (symbolic dims bound to 1). */
export async function ortLoadAndRun(m: ScaleModel): Promise<number> {
  const g = loadOnnx(m.file);
  const ort = await loadOrt();
  const t0 = process.hrtime.bigint();
  const s = await ort.InferenceSession.create(m.file, { intraOpNumThreads: os.availableParallelism() });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const i of g.inputs) {
    const dims = (i.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    feeds[i.name] = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  await s.run(feeds);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await s.release();
  return seconds;
}
