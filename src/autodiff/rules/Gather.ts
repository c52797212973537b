import { A, attrInt } from '../../ir/attrs.js';
import { ReproError } from '../../util/errors.js';
import { reshape } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

function zerosLike(e: Emitter, shape: number[], dtype: string): string {
  const z = e.add('ConstantOfShape', [e.ints(shape)]);
  e.setShape(z, shape, dtype as 'float32');
  return z;
}

/**
 * Gather along `axis`: move the axis to the front (Transpose), scatter-add dY rows into zeros with ScatterND
 * (reduction=add, opset ≥ 16; repeated indices accumulate), move it back. Indices get no gradient.
 */
export const Gather: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const [x, idx] = node.inputs as [string, string];
    if (e.opset < 16)
      throw new ReproError(
        `node '${node.name}' (Gather): its gradient needs ScatterND(reduction=add), i.e. opset ≥ 16 (graph has ${e.opset})`,
      );
    const xs = e.shape(x);
    const r = xs.length;
    const a0 = attrInt(node.attrs, 'axis', 0);
    const axis = a0 < 0 ? a0 + r : a0;
    const is = e.shape(idx);
    const ys = e.shape(node.outputs[0]!);
    const perm = [axis, ...xs.map((_, i) => i).filter((i) => i !== axis)];
    const xt = perm.map((p) => xs[p]!);
    // dY has dims xs[:axis] ++ is ++ xs[axis+1:]; bring the index dims to the front.
    const q = is.length;
    const yperm = [
      ...Array.from({ length: q }, (_, i) => axis + i),
      ...Array.from({ length: axis }, (_, i) => i),
      ...Array.from({ length: ys.length - axis - q }, (_, i) => axis + q + i),
    ];
    const dyt = axis === 0 ? dy! : e.add('Transpose', [dy!], { perm: A.ints(yperm) });
    const ind = reshape(e, idx, [...is, 1]);
    const acc = e.add('ScatterND', [zerosLike(e, xt, e.dtype(x)), ind, dyt], { reduction: A.string('add') });
    if (axis === 0) return [acc, undefined];
    const inv = new Array<number>(r);
    perm.forEach((p, i) => {
      inv[p] = i;
    });
    return [e.add('Transpose', [acc], { perm: A.ints(inv) }), undefined];
  },
};

/** GatherElements: dX = ScatterElements(zeros, indices, dY, axis, reduction=add). */
export const GatherElements: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const [x, idx] = node.inputs as [string, string];
    if (e.opset < 16)
      throw new ReproError(
        `node '${node.name}' (GatherElements): its gradient needs ScatterElements(reduction=add), i.e. opset ≥ 16 (graph has ${e.opset})`,
      );
    const attrs = { axis: A.int(attrInt(node.attrs, 'axis', 0)), reduction: A.string('add') };
    return [e.add('ScatterElements', [zerosLike(e, e.shape(x), e.dtype(x)), idx, dy!], attrs), undefined];
  },
};
