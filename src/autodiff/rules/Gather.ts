import { A, attrInt } from '../../ir/attrs.js';
import { f32, tensor } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { binary, inversePerm, reduceSum, reshape, transpose } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

function zerosLike(e: Emitter, shape: number[], dtype: string): string {
  const z = e.add('ConstantOfShape', [e.ints(shape)]);
  e.setShape(z, shape, dtype as 'float32');
  return z;
}

/** OneHot(indices, depth) as floats of `dtype` along `axis` (OneHot exists from opset 9, negative indices from 11). */
function oneHot(e: Emitter, idx: string, depth: number, axis: number, dtype: string): string {
  const values = e.const(dtype === 'float64' ? tensor('float64', [2], Float64Array.of(0, 1)) : f32([2], [0, 1]));
  const out = e.add('OneHot', [idx, e.const(tensor('int64', [1], BigInt64Array.of(BigInt(depth)))), values], {
    axis: A.int(axis),
  });
  const is = e.shape(idx);
  const a = axis < 0 ? axis + is.length + 1 : axis;
  e.setShape(out, [...is.slice(0, a), depth, ...is.slice(a)], dtype as 'float32');
  return out;
}

/**
 * Gather along `axis`: move the axis to the front (Transpose), then dX rows = Σ of the dY rows that read them.
 * Opset ≥ 16: ScatterND(reduction=add) into zeros. Older opsets: OneHot(indices)ᵀ · dY as one MatMul
 * ([D, M] · [M, rest]), which accumulates repeated indices the same way. Indices get no gradient.
 */
export const Gather: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const [x, idx] = node.inputs as [string, string];
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
    const dyt = axis === 0 ? dy! : transpose(e, dy!, yperm);
    let acc: string;
    if (e.opset >= 16) {
      const ind = reshape(e, idx, [...is, 1]);
      acc = e.add('ScatterND', [zerosLike(e, xt, e.dtype(x)), ind, dyt], { reduction: A.string('add') });
    } else {
      if (e.opset < 9)
        throw new ReproError(
          `node '${node.name}' (Gather): its gradient needs OneHot (opset ≥ 9, graph has ${e.opset})`,
        );
      const M = is.reduce((p, d) => p * d, 1);
      const hot = oneHot(e, reshape(e, idx, [M]), xs[axis]!, 0, e.dtype(x)); // [D, M]
      acc = e.add('MatMul', [hot, reshape(e, dyt, [M, xt.slice(1).reduce((p, d) => p * d, 1)])]);
      e.setShape(acc, [xs[axis]!, xt.slice(1).reduce((p, d) => p * d, 1)], e.dtype(x));
      acc = reshape(e, acc, xt);
    }
    e.setShape(acc, xt, e.dtype(x));
    if (axis === 0) return [acc, undefined];
    return [transpose(e, acc, inversePerm(perm)), undefined];
  },
};

/**
 * GatherElements: dX = ScatterElements(zeros, indices, dY, axis, reduction=add) from opset 16. Older opsets:
 * Σ over the indexed axis of OneHot(indices) (one-hot dim right after it) · dY, when indices span x in the other axes.
 */
export const GatherElements: GradRule = {
  nonDiffInputs: [1],
  grad({ node, dy: [dy], e }) {
    const [x, idx] = node.inputs as [string, string];
    const xs = e.shape(x);
    const a0 = attrInt(node.attrs, 'axis', 0);
    const axis = a0 < 0 ? a0 + xs.length : a0;
    if (e.opset >= 16) {
      const attrs = { axis: A.int(axis), reduction: A.string('add') };
      return [e.add('ScatterElements', [zerosLike(e, e.shape(x), e.dtype(x)), idx, dy!], attrs), undefined];
    }
    const is = e.shape(idx);
    if (e.opset < 9 || is.some((d, i) => i !== axis && d !== xs[i]))
      throw new ReproError(
        `node '${node.name}' (GatherElements): its gradient needs ScatterElements(reduction=add) (opset ≥ 16, graph has ${e.opset}) unless the indices cover x outside the gather axis`,
      );
    const hot = oneHot(e, idx, xs[axis]!, axis + 1, e.dtype(x)); // is[:axis+1] ++ [D] ++ is[axis+1:]
    const dyu = reshape(e, dy!, [...is.slice(0, axis + 1), 1, ...is.slice(axis + 1)]);
    return [reshape(e, reduceSum(e, binary(e, 'Mul', hot, dyu), [axis], false), xs), undefined];
  },
};
