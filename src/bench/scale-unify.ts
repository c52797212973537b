/**
 * `reprune bench scale`'s unify step as a script: load a model and apply the unification projection Π_S (4×4
 * blocks, 50 % unified, 30 % pruned per layer) to every weight, the step ADMM repeats every epoch. Run as
 * `node scale-unify.js model.onnx` (the bench preloads its probe for time and memory); prints the layer count.
 */
import { loadModelChecked } from '../onnx/prepare.js';
import { unifyLayers } from '../passes/unify/layers.js';
import { projectLayersInPlace } from '../passes/unify/project-model.js';

/** Project every layer of `file`; returns how many layers were projected. */
export function projectModel(file: string): number {
  const g = loadModelChecked(file);
  const layers = unifyLayers(g, { bh: 4, bw: 4 });
  projectLayersInPlace(g, layers, { unify: 0.5, prune: 0.3, scope: 'layer' });
  return layers.length;
}

const file = process.argv[2];
if (file && /scale-unify\.[jt]s$/.test(process.argv[1] ?? '')) {
  process.stdout.write(`projected ${projectModel(file)} layers\n`);
}
