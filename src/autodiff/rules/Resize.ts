import type { Node } from '../../ir/graph.js';
import { resizeArgs, resizePlan, resizeSettings } from '../../ir/resize.js';
import { type AxisMatrix, axisMatrix } from '../../ir/resize-axis.js';
import { tensor, toNumbers } from '../../ir/tensor.js';
import { ReproError } from '../../util/errors.js';
import { inversePerm, transpose } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';

/** The scales/sizes of the node: constants, or (sizes computed at run time) the static output shape. */
function knownArgs(node: Node, e: Emitter) {
  const read = (i: number) => {
    const t = e.constValue(node.inputs[i]!);
    return t ? toNumbers(t) : undefined;
  };
  const args = resizeArgs(node, e.opset, read);
  if (!args.scales?.length && !args.sizes?.length) {
    if (node.opType === 'Resize' && e.opset >= 11 && node.inputs[3]) args.sizes = e.shape(node.outputs[0]!);
    else
      throw new ReproError(
        `node '${node.name}' (${node.opType}): its gradient needs constant scales (or sizes); fold the scales computation into a constant`,
      );
  }
  return args;
}

/** g ×_axis Mᵀ: along `axis`, out[.., i, ..] = Σ_o M[o, i]·g[.., o, ..], as one MatMul with a constant matrix. */
function applyTransposed(e: Emitter, g: string, axis: number, m: AxisMatrix): string {
  const gs = e.shape(g);
  const r = gs.length;
  const dt = e.dtype(g);
  const last = axis === r - 1;
  const perm = gs.map((_, i) => i);
  if (!last && axis !== r - 2) [perm[axis], perm[r - 1]] = [r - 1, axis];
  const moved = perm.every((p, i) => p === i) ? g : transpose(e, g, perm);
  const onLast = last || axis !== r - 2;
  const data = new Float64Array(m.inLen * m.outLen);
  // onLast: g[.., O] · M[O, I]; else Mᵀ[I, O] · g[.., O, W].
  for (let o = 0; o < m.outLen; o++)
    for (let i = 0; i < m.inLen; i++) data[onLast ? o * m.inLen + i : i * m.outLen + o] = m.m[o * m.inLen + i]!;
  const mat = e.const(
    tensor(dt, onLast ? [m.outLen, m.inLen] : [m.inLen, m.outLen], dt === 'float64' ? data : Float32Array.from(data)),
    'grad/resize_matrix',
  );
  const prod = e.add('MatMul', onLast ? [moved, mat] : [mat, moved]);
  const ms = e.shape(moved);
  ms[onLast ? r - 1 : r - 2] = m.inLen;
  e.setShape(prod, ms, dt);
  return moved === g ? prod : transpose(e, prod, inversePerm(perm));
}

/**
 * Resize / Upsample are linear in x and separable: one fixed [out, in] matrix per resized axis (src/ir/resize.ts,
 * the same matrices the reference kernel applies). The gradient multiplies dY by each matrix transposed — a MatMul
 * with a constant per axis. Unlike a ConvTranspose formulation this covers every mode (nearest, linear, cubic),
 * coordinate transform and non-integer scale, needs no opset-gated scatter, and is exact.
 */
export const Resize: GradRule = {
  nonDiffInputs: [1, 2, 3],
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const xs = e.shape(x);
    const s = resizeSettings(node, e.opset);
    const plan = resizePlan(node, s, xs, knownArgs(node, e), () => {
      throw new ReproError(`node '${node.name}' (${node.opType}): output size unknown`);
    });
    let g = dy!;
    plan.forEach((p, a) => {
      const m = axisMatrix(s, xs[a]!, p);
      if (!m.identity) g = applyTransposed(e, g, a, m);
    });
    return [g];
  },
};

export const Upsample = Resize;
