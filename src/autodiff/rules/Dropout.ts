import { A, attrFloat } from '../../ir/attrs.js';
import type { Node } from '../../ir/graph.js';
import { ONNX_DTYPE, tensor, toNumbers } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { scale } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/** Drop probability: the ratio input (opset ≥ 12) or attribute (before), 0.5 by default. */
function dropRatio(node: Node, e: Emitter): number {
  if (e.opset < 12) return attrFloat(node.attrs, 'ratio', 0.5);
  const ratioName = node.inputs[1];
  const rc = ratioName ? e.constValue(ratioName) : undefined;
  if (ratioName && !rc) throw new ReproError(`node '${node.name}' (Dropout): ratio must be a constant for training`);
  return rc ? toNumbers(rc)[0]! : 0.5;
}

/**
 * Before opset 12 Dropout has no training mode: the mask is drawn by RandomUniformLike (seeded like ORT's Dropout,
 * a fresh draw each run) and kept where u ≥ ratio; y = mask ? x/(1−ratio) : 0, differentiated as the Where and Mul
 * it is made of.
 */
function lowerWithUniform(node: Node, e: Emitter, ratio: number): string {
  const x = node.inputs[0]!;
  const dt = e.dtype(x);
  const u = e.add('RandomUniformLike', [x], { dtype: A.int(ONNX_DTYPE[dt]), seed: A.float(e.options.dropoutSeed) });
  e.setShape(u, e.shape(x), dt);
  const mask = e.add('Not', [e.add('Less', [u, e.scalar(ratio, dt)])]);
  e.setShape(mask, e.shape(x), 'bool');
  if (node.outputs[1])
    e.keep({
      name: e.fresh(`${node.name}_mask`),
      opType: 'Identity',
      inputs: [mask],
      outputs: [node.outputs[1]],
      attrs: {},
    });
  const kept = scale(e, x, 1 / (1 - ratio));
  e.keep({
    name: e.fresh(`${node.name}_train`),
    opType: 'Where',
    inputs: [mask, kept, e.scalar(0, dt)],
    outputs: [node.outputs[0]!],
    attrs: {},
  });
  return mask;
}

/**
 * Training mode uses ORT's own Dropout (opset ≥ 12, training_mode = true) with `seed` set from the build options:
 * one session then draws a deterministic sequence of masks, one per run (older opsets: lowerWithUniform). The mask
 * gives the backward dX = dY·mask/(1−ratio). Ratio 0 (or absent training) stays an identity.
 */
export const Dropout: GradRule = {
  nonDiffInputs: [1, 2],
  lowerTraining(node, e) {
    const ratio = dropRatio(node, e);
    if (ratio === 0) {
      e.keep({ ...node, opType: 'Identity', inputs: [node.inputs[0]!], outputs: [node.outputs[0]!], attrs: {} });
      return {} as Record<string, string>;
    }
    if (e.opset < 12) return { mask: lowerWithUniform(node, e, ratio), ratio: String(ratio) };
    const mask = node.outputs[1] || e.fresh(`${node.outputs[0]}_mask`);
    const training = e.const(tensor('bool', [], Uint8Array.of(1)), 'grad/training');
    e.keep({
      ...node,
      inputs: [node.inputs[0]!, e.scalar(ratio, e.dtype(node.inputs[0]!)), training],
      outputs: [node.outputs[0]!, mask],
      attrs: { seed: A.int(e.options.dropoutSeed) },
    });
    return { mask, ratio: String(ratio) };
  },
  grad({ node, dy: [dy], e, saved }) {
    if (node.opType === 'Identity' || !saved.mask) return [dy];
    const x = node.inputs[0]!;
    const g = scale(e, dy!, 1 / (1 - Number(saved.ratio)));
    const out = e.add('Where', [saved.mask, g, e.scalar(0, e.dtype(x))]);
    return [out];
  },
};
