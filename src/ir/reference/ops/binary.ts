import { castTarget } from '../../ops.js';
import { broadcastDims, broadcastMap } from '../../fold/indexing.js';
import { ref, req, type RefKernel, type RefTensor } from '../tensor.js';
import type { DType } from '../../tensor.js';

const isInt = (d: DType) => d !== 'float32' && d !== 'float64';

/** n-ary broadcasting fold of `f` over the present inputs. */
function nary(
  f: (a: number, b: number, dtype: DType) => number,
  outDtype?: DType,
  finish?: (v: number, n: number) => number,
): RefKernel {
  return (c) => {
    const ins = c.inputs.filter((t): t is RefTensor => !!t);
    const dims = broadcastDims(...ins.map((t) => t.dims));
    const maps = ins.map((t) => broadcastMap(dims, t.dims));
    const out = ref(outDtype ?? ins[0]!.dtype, dims);
    for (let i = 0; i < out.data.length; i++) {
      let acc = ins[0]!.data[maps[0]![i]!]!;
      for (let k = 1; k < ins.length; k++) acc = f(acc, ins[k]!.data[maps[k]![i]!]!, ins[0]!.dtype);
      out.data[i] = finish ? finish(acc, ins.length) : acc;
    }
    return [out];
  };
}

const b = (x: boolean) => (x ? 1 : 0);

const where: RefKernel = (c) => {
  const [cond, x, y] = [req(c, 0), req(c, 1), req(c, 2)];
  const dims = broadcastDims(cond.dims, x.dims, y.dims);
  const [mc, mx, my] = [cond, x, y].map((t) => broadcastMap(dims, t.dims));
  const out = ref(x.dtype, dims);
  for (let i = 0; i < out.data.length; i++) out.data[i] = cond.data[mc![i]!] ? x.data[mx![i]!]! : y.data[my![i]!]!;
  return [out];
};

const cast: RefKernel = (c) => {
  const x = req(c, 0);
  const to = castTarget(c.node);
  const out = ref(to, x.dims);
  for (let i = 0; i < out.data.length; i++) {
    const v = x.data[i]!;
    out.data[i] = to === 'bool' ? b(v !== 0) : isInt(to) ? Math.trunc(v) : v;
  }
  return [out];
};

/** Inference-mode Dropout: identity, mask all true. */
const dropout: RefKernel = (c) => {
  const x = req(c, 0);
  const outs = [ref(x.dtype, x.dims, x.data.slice())];
  if (c.node.outputs.length > 1) outs.push(ref('bool', x.dims, new Float64Array(x.data.length).fill(1)));
  return outs;
};

export const binaryKernels: Record<string, RefKernel> = {
  Add: nary((a, y) => a + y),
  Sub: nary((a, y) => a - y),
  Mul: nary((a, y) => a * y),
  Div: nary((a, y, dt) => (isInt(dt) ? Math.trunc(a / y) : a / y)),
  Pow: nary((a, y) => a ** y),
  Sum: nary((a, y) => a + y),
  Mean: nary(
    (a, y) => a + y,
    undefined,
    (v, n) => v / n,
  ),
  PRelu: nary((x, slope) => (x < 0 ? slope * x : x)),
  Max: nary((a, y) => Math.max(a, y)),
  Min: nary((a, y) => Math.min(a, y)),
  Equal: nary((a, y) => b(a === y), 'bool'),
  Greater: nary((a, y) => b(a > y), 'bool'),
  Less: nary((a, y) => b(a < y), 'bool'),
  GreaterOrEqual: nary((a, y) => b(a >= y), 'bool'),
  LessOrEqual: nary((a, y) => b(a <= y), 'bool'),
  And: nary((a, y) => b(!!a && !!y), 'bool'),
  Or: nary((a, y) => b(!!a || !!y), 'bool'),
  Xor: nary((a, y) => b(!!a !== !!y), 'bool'),
  Where: where,
  Cast: cast,
  Dropout: dropout,
};
