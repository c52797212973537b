import type { Dim } from '../../graph.js';
import { attrInt, attrString } from '../../attrs.js';
import type { ShapeRule } from '../context.js';
import { broadcastShapes } from './elementwise.js';

const gemm: ShapeRule = (c) => {
  const a = c.shape(0),
    b = c.shape(1);
  if (a.length !== 2 || b.length !== 2) c.fail(`A and B must be 2-D, got ranks ${a.length} and ${b.length}`);
  const m = attrInt(c.node.attrs, 'transA', 0) ? a[1]! : a[0]!;
  const n = attrInt(c.node.attrs, 'transB', 0) ? b[0]! : b[1]!;
  const ka = attrInt(c.node.attrs, 'transA', 0) ? a[0]! : a[1]!;
  const kb = attrInt(c.node.attrs, 'transB', 0) ? b[1]! : b[0]!;
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb)
    c.fail(`A has ${ka} columns but B expects ${kb} (shapes [${a.join(',')}] and [${b.join(',')}])`);
  return [{ dtype: c.dtype(0), shape: [m, n] }];
};

/** numpy matmul: 1-D operands get a dim prepended (A) / appended (B) and removed again; batch dims broadcast. */
const matmul: ShapeRule = (c) => {
  const a = c.shape(0),
    b = c.shape(1);
  if (a.length === 0 || b.length === 0) c.fail('MatMul operands must be at least 1-D');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const ka = a2[a2.length - 1]!,
    kb = b2[b2.length - 2]!;
  if (typeof ka === 'number' && typeof kb === 'number' && ka !== kb)
    c.fail(`inner dims differ: [${a.join(',')}] x [${b.join(',')}]`);
  const batch = broadcastShapes(c, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out: Dim[] = [...batch];
  if (a.length !== 1) out.push(a2[a2.length - 2]!);
  if (b.length !== 1) out.push(b2[b2.length - 1]!);
  return [{ dtype: c.dtype(0), shape: out }];
};

/** Einsum without ellipsis: explicit or implicit (letters seen once, alphabetical) output. */
const einsum: ShapeRule = (c) => {
  const eq = attrString(c.node.attrs, 'equation', '').replace(/\s+/g, '');
  if (eq.includes('.')) c.fail('Einsum with ellipsis is not supported by reprune');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  if (terms.length !== c.numInputs)
    c.fail(`equation '${eq}' has ${terms.length} operands, node has ${c.numInputs} inputs`);
  const size = new Map<string, Dim>();
  const count = new Map<string, number>();
  terms.forEach((t, i) => {
    const s = c.shape(i);
    if (t.length !== s.length) c.fail(`operand ${i} '${t}' does not match rank ${s.length}`);
    [...t].forEach((ch, k) => {
      const d = s[k]!;
      const prev = size.get(ch);
      if (prev === undefined || prev === 1) size.set(ch, d);
      count.set(ch, (count.get(ch) ?? 0) + 1);
    });
  });
  const outLetters =
    rhs ??
    [...count.keys()]
      .filter((ch) => count.get(ch) === 1)
      .sort()
      .join('');
  return [
    {
      dtype: c.dtype(0),
      shape: [...outLetters].map((ch) => size.get(ch) ?? c.fail(`output letter '${ch}' not in inputs`)),
    },
  ];
};

export const linearRules: Record<string, ShapeRule> = { Gemm: gemm, MatMul: matmul, Einsum: einsum };
