import type { Dim } from '../../graph.js';
import { castTarget } from '../../ops.js';
import { divDims, mulDims, addDims } from '../dims.js';
import { sameAs, type ShapeCtx, type ShapeRule, type OutInfo } from '../context.js';

/** Multidirectional (numpy) broadcasting. Two different symbols: we keep the first (the model is assumed valid). */
export function broadcastShapes(c: ShapeCtx, shapes: Dim[][]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k];
      if (e === undefined || e === 1) continue;
      if (d === 1) d = e;
      else if (typeof d === 'number' && typeof e === 'number' && d !== e) {
        c.fail(`cannot broadcast shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')}`);
      } else if (typeof d === 'string' && typeof e === 'number') d = e;
    }
    out.push(d);
  }
  return out;
}

const unary: ShapeRule = (c) => {
  const out = sameAs(c);
  // Identity-like ops pass known shape values through (Shape -> Cast -> Reshape chains).
  const v = c.value(0);
  if (v && (c.node.opType === 'Identity' || c.node.opType === 'Cast')) out.value = v;
  if (v && c.node.opType === 'Neg') out.value = v.map((d) => (typeof d === 'number' ? -d : c.fresh()));
  return [out];
};

const BINARY_ARITH: Record<string, (a: Dim, b: Dim) => Dim | undefined> = {
  Add: (a, b) => addDims(a, b),
  Sub: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : b === 0 ? a : undefined),
  Mul: (a, b) => mulDims(a, b),
  // Integer Div truncates; exact quotients only when symbolic.
  Div: (a, b) =>
    typeof a === 'number' && typeof b === 'number' ? (b === 0 ? undefined : Math.trunc(a / b)) : divDims(a, b),
  Equal: equalDims,
};

/**
 * Equal on shape values as 0/1. A symbolic dim is a size, so it never equals a negative number (the -1 of
 * `expand(n, -1, -1)`); the same symbol equals itself; anything else is unknown.
 */
function equalDims(a: Dim, b: Dim): Dim | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 1 : undefined;
  const n = (typeof a === 'number' ? a : b) as number;
  return n < 0 ? 0 : undefined;
}

function variadic(dtypeOf: (c: ShapeCtx) => OutInfo['dtype']): ShapeRule {
  return (c) => {
    const shapes: Dim[][] = [];
    for (let i = 0; i < c.numInputs; i++) if (c.has(i)) shapes.push(c.shape(i));
    const out: OutInfo = { dtype: dtypeOf(c), shape: broadcastShapes(c, shapes) };
    const f = BINARY_ARITH[c.node.opType];
    const a = c.value(0),
      b = c.value(1);
    if (f && a && b && c.numInputs === 2 && (a.length === b.length || a.length === 1 || b.length === 1)) {
      const n = Math.max(a.length, b.length);
      out.value = Array.from(
        { length: n },
        (_, i) => f(a[a.length === 1 ? 0 : i]!, b[b.length === 1 ? 0 : i]!) ?? c.fresh(),
      );
    }
    return [out];
  };
}

const first = (c: ShapeCtx) => c.dtype(0);
const bool = () => 'bool' as const;

/** Where; on known shape values (a 0/1 condition and two int vectors of one length) it selects them too. */
const where: ShapeRule = (c) => {
  const out: OutInfo = { dtype: c.dtype(1), shape: broadcastShapes(c, [c.shape(0), c.shape(1), c.shape(2)]) };
  const [cond, x, y] = [c.value(0), c.value(1), c.value(2)];
  const n = Math.max(cond?.length ?? 0, x?.length ?? 0, y?.length ?? 0);
  const at = (v: Dim[], i: number) => v[v.length === 1 ? 0 : i]!;
  if (
    cond &&
    x &&
    y &&
    [cond, x, y].every((v) => v.length === n || v.length === 1) &&
    cond.every((d) => typeof d === 'number')
  )
    out.value = Array.from({ length: n }, (_, i) => (at(cond, i) ? at(x, i) : at(y, i)));
  return [out];
};

const cast: ShapeRule = (c) => {
  const out = sameAs(c, 0, castTarget(c.node));
  const v = c.value(0);
  if (v && out.dtype !== 'float32' && out.dtype !== 'float64' && out.dtype !== 'bool') out.value = v;
  return [out];
};

/** Dropout: output, plus an optional bool mask of the same shape. */
const dropout: ShapeRule = (c) => {
  const outs: OutInfo[] = [sameAs(c)];
  if (c.node.outputs.length > 1) outs.push(sameAs(c, 0, 'bool'));
  return outs;
};

/** BatchNormalization: Y like X; training_mode outputs (running mean/var, or older mean/var/saved stats) are [C]. */
const batchNorm: ShapeRule = (c) => {
  const x = c.shape(0);
  const outs: OutInfo[] = [sameAs(c)];
  const ch: Dim = x[1] ?? c.fresh();
  for (let i = 1; i < c.node.outputs.length; i++) outs.push({ dtype: c.dtype(0), shape: [ch] });
  return outs;
};

export const elementwiseRules: Record<string, ShapeRule> = {
  Identity: unary,
  Relu: unary,
  LeakyRelu: unary,
  Sigmoid: unary,
  Tanh: unary,
  Neg: unary,
  Exp: unary,
  Log: unary,
  Sqrt: unary,
  Abs: unary,
  Sign: unary,
  Reciprocal: unary,
  Erf: unary,
  Clip: unary,
  Softplus: unary,
  Elu: unary,
  HardSigmoid: unary,
  HardSwish: unary,
  Gelu: unary,
  Mish: unary,
  PRelu: (c) => [sameAs(c)],
  Floor: unary,
  Ceil: unary,
  Not: (c) => [sameAs(c, 0, 'bool')],
  Cast: cast,
  Add: variadic(first),
  Sub: variadic(first),
  Mul: variadic(first),
  Div: variadic(first),
  Pow: variadic(first),
  Sum: variadic(first),
  Mean: variadic(first),
  Max: variadic(first),
  Min: variadic(first),
  Equal: variadic(bool),
  Greater: variadic(bool),
  Less: variadic(bool),
  GreaterOrEqual: variadic(bool),
  LessOrEqual: variadic(bool),
  And: variadic(bool),
  Or: variadic(bool),
  Xor: variadic(bool),
  Where: where,
  Dropout: dropout,
  BatchNormalization: batchNorm,
};
