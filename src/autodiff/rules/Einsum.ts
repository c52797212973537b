import { A, attrString } from '../../ir/attrs.js';
import { ReproError } from '../../util/errors.js';
import { expandTo, reshape } from '../prims.js';
import type { GradRule } from '../types.js';

/** Terms and output of an Einsum equation (implicit output: letters used once, alphabetical). */
function parseEquation(eq: string): { terms: string[]; out: string } {
  const [lhs, rhs] = eq.replace(/\s+/g, '').split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const count = new Map<string, number>();
  for (const ch of lhs.replace(/,/g, '')) count.set(ch, (count.get(ch) ?? 0) + 1);
  const out =
    rhs ??
    [...count.keys()]
      .filter((ch) => count.get(ch) === 1)
      .sort()
      .join('');
  return { terms, out };
}

/**
 * Einsum is linear in each operand: d operand_i = Einsum(dY, the other operands → term_i). Letters of term_i that
 * appear nowhere else (summed only within operand i) are missing from that product; its result is then broadcast
 * along them. Equations with an ellipsis or a letter repeated inside one term (diagonals) are not differentiated.
 */
export const Einsum: GradRule = {
  grad({ node, dy: [dy], need, e }) {
    const eq = attrString(node.attrs, 'equation', '');
    const { terms, out } = parseEquation(eq);
    if (eq.includes('.') || [...terms, out].some((t) => new Set(t).size !== t.length))
      throw new ReproError(
        `node '${node.name}' (Einsum): the gradient of '${eq}' (ellipsis or repeated letters) is not supported; rewrite it with MatMul/Transpose`,
      );
    return node.inputs.map((x, i) => {
      if (!need[i]) return undefined;
      const others = terms.filter((_, k) => k !== i);
      const present = [...terms[i]!].filter((ch) => out.includes(ch) || others.some((t) => t.includes(ch))).join('');
      const inputs = [dy!, ...node.inputs.filter((_, k) => k !== i)];
      const g = e.add('Einsum', inputs, { equation: A.string(`${[out, ...others].join(',')}->${present}`) });
      const xs = e.shape(x);
      const gs = [...terms[i]!].map((ch, k) => (present.includes(ch) ? xs[k]! : 1));
      e.setShape(
        g,
        gs.filter((_, k) => present.includes(terms[i]![k]!)),
        e.dtype(x),
      );
      return expandTo(e, reshape(e, g, gs), xs);
    });
  },
};
