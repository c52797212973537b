import type { Dim } from '../../graph.js';
import { attrInt, attrInts } from '../../attrs.js';
import { SQUEEZE_AXES_AS_INPUT_SINCE } from '../../ops.js';
import { divDims, mulDims, prodDims } from '../dims.js';
import { normAxis, type OutInfo, type ShapeCtx, type ShapeRule } from '../context.js';
import { broadcastShapes } from './elementwise.js';

/** Reshape target resolution: 0 copies the input dim (unless allowzero), -1 is inferred, symbols are taken as given. */
export function reshapeTarget(c: ShapeCtx, input: Dim[], target: Dim[], allowzero: boolean): Dim[] {
  const out = target.map((d, i) =>
    d === 0 && !allowzero ? (input[i] ?? c.fail(`shape entry ${i} is 0 but the input has rank ${input.length}`)) : d,
  );
  const neg = out.indexOf(-1);
  if (out.indexOf(-1, neg + 1) >= 0) c.fail('shape has more than one -1');
  if (neg >= 0) {
    const rest = prodDims(out.filter((_, i) => i !== neg));
    out[neg] =
      divDims(prodDims(input), rest) ??
      (typeof rest === 'number' && typeof prodDims(input) === 'number'
        ? c.fail(`cannot reshape [${input.join(',')}] to [${target.join(',')}]`)
        : c.fresh());
  }
  const pin = prodDims(input),
    pout = prodDims(out);
  if (typeof pin === 'number' && typeof pout === 'number' && pin !== pout)
    c.fail(`cannot reshape [${input.join(',')}] (${pin} elements) to [${target.join(',')}]`);
  return out;
}

const reshape: ShapeRule = (c) => {
  const input = c.shape(0);
  const target = c.value(1);
  if (!target)
    return c.fail(
      `shape input '${c.node.inputs[1]}' is not a constant (even after constant folding); reprune needs static reshape targets`,
    );
  const out: OutInfo = {
    dtype: c.dtype(0),
    shape: reshapeTarget(c, input, target, attrInt(c.node.attrs, 'allowzero', 0) === 1),
  };
  const v = c.value(0);
  if (v) out.value = v;
  return [out];
};

const flatten: ShapeRule = (c) => {
  const x = c.shape(0);
  const axis = attrInt(c.node.attrs, 'axis', 1);
  const a = axis < 0 ? axis + x.length : axis;
  if (a < 0 || a > x.length) c.fail(`axis ${axis} out of range for rank ${x.length}`);
  return [{ dtype: c.dtype(0), shape: [prodDims(x.slice(0, a)), prodDims(x.slice(a))] }];
};

const transpose: ShapeRule = (c) => {
  const x = c.shape(0);
  const perm = attrInts(
    c.node.attrs,
    'perm',
    x.map((_, i) => x.length - 1 - i),
  );
  if (perm.length !== x.length) c.fail(`perm has ${perm.length} entries for rank ${x.length}`);
  return [{ dtype: c.dtype(0), shape: perm.map((p) => x[normAxis(c, p, x.length)]!) }];
};

/** Axes of Squeeze/Unsqueeze: attribute before opset 13, second input after. */
function squeezeAxes(c: ShapeCtx): number[] | undefined {
  if (c.opset < SQUEEZE_AXES_AS_INPUT_SINCE) return attrInts(c.node.attrs, 'axes');
  if (!c.has(1)) return undefined;
  return c.numbers(1) ?? c.fail('axes input must be constant');
}

const squeeze: ShapeRule = (c) => {
  const x = c.shape(0);
  const axes = squeezeAxes(c)?.map((a) => normAxis(c, a, x.length));
  for (const a of axes ?? [])
    if (typeof x[a] === 'number' && x[a] !== 1) c.fail(`cannot squeeze axis ${a} of size ${x[a]}`);
  const keep = (d: Dim, i: number) => (axes ? !axes.includes(i) : d !== 1);
  const out: OutInfo = { dtype: c.dtype(0), shape: x.filter(keep) };
  const v = c.value(0);
  if (v) out.value = v;
  return [out];
};

const unsqueeze: ShapeRule = (c) => {
  const x = c.shape(0);
  const axes0 = squeezeAxes(c) ?? c.fail('axes are required');
  const rank = x.length + axes0.length;
  const axes = axes0.map((a) => normAxis(c, a, rank));
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x[j++]!);
  const info: OutInfo = { dtype: c.dtype(0), shape: out };
  const v = c.value(0);
  if (v) info.value = v;
  return [info];
};

const expand: ShapeRule = (c) => {
  const target = c.value(1);
  if (!target) {
    const n = c.shape(1)[0];
    if (typeof n !== 'number') return c.fail('shape input has unknown length');
    return [{ dtype: c.dtype(0), shape: Array.from({ length: Math.max(n, c.shape(0).length) }, () => c.fresh()) }];
  }
  return [{ dtype: c.dtype(0), shape: broadcastShapes(c, [c.shape(0), target]) }];
};

const tile: ShapeRule = (c) => {
  const x = c.shape(0);
  const reps = c.numbers(1) ?? c.fail('repeats input must be constant');
  if (reps.length !== x.length) c.fail(`repeats has ${reps.length} entries for rank ${x.length}`);
  return [{ dtype: c.dtype(0), shape: x.map((d, i) => mulDims(d, reps[i]!)) }];
};

/** DepthToSpace moves b² channel blocks into b×b pixels; SpaceToDepth is the reverse. Both 4-D, NCHW. */
function blockRule(toSpace: boolean): ShapeRule {
  return (c) => {
    const x = c.shape(0);
    if (x.length !== 4) c.fail(`input must be 4-D (N, C, H, W), got rank ${x.length}`);
    const b = attrInt(c.node.attrs, 'blocksize') ?? c.fail('blocksize attribute is required');
    const [n, ch, h, w] = x as [Dim, Dim, Dim, Dim];
    const shrink = (d: Dim, k: number) =>
      divDims(d, k) ?? (typeof d === 'number' ? c.fail(`size ${d} is not divisible by ${k}`) : c.fresh());
    const shape = toSpace
      ? [n, shrink(ch, b * b), mulDims(h, b), mulDims(w, b)]
      : [n, mulDims(ch, b * b), shrink(h, b), shrink(w, b)];
    return [{ dtype: c.dtype(0), shape }];
  };
}

export const layoutRules: Record<string, ShapeRule> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  DepthToSpace: blockRule(true),
  SpaceToDepth: blockRule(false),
};
