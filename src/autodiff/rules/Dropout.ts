import { A } from '../../ir/attrs.js';
import { tensor, toNumbers } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { scale } from '../prims.js';
import type { GradRule } from '../types.js';

/**
 * Training mode uses ORT's own Dropout (opset ≥ 12, training_mode = true) with `seed` set from the build options:
 * one session then draws a deterministic sequence of masks, one per run. The mask output gives the backward
 * dX = dY·mask/(1−ratio). Ratio 0 (or absent training) stays an identity.
 */
export const Dropout: GradRule = {
  nonDiffInputs: [1, 2],
  lowerTraining(node, e) {
    const ratioName = node.inputs[1];
    const rc = ratioName ? e.constValue(ratioName) : undefined;
    if (ratioName && !rc) throw new ReproError(`node '${node.name}' (Dropout): ratio must be a constant for training`);
    const ratio = rc ? toNumbers(rc)[0]! : 0.5;
    if (ratio === 0) {
      e.keep({ ...node, opType: 'Identity', inputs: [node.inputs[0]!], outputs: [node.outputs[0]!], attrs: {} });
      return {} as Record<string, string>;
    }
    if (e.opset < 12)
      throw new ReproError(
        `node '${node.name}' (Dropout): training needs opset ≥ 12 (graph has ${e.opset}); convert the model with onnx.version_converter`,
      );
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
