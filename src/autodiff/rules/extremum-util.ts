import { binary, floatMask, unbroadcast } from '../prims.js';
import type { GradArgs } from '../types.js';

/**
 * Backward of elementwise Max/Min over n broadcast operands: the output gradient goes to the operands that attain
 * the extremum, split evenly between ties (as PyTorch's maximum/minimum do for two operands), each share
 * un-broadcast to its operand. "Attains" is ¬(x < y) for Max and ¬(x > y) for Min: y is one of the operands, so
 * this is equality, with Less/Greater that exist for floats from opset 7 (Equal on floats needs opset 11).
 */
export function extremumGrad({ node, dy: [dy], need, e }: GradArgs, kind: 'max' | 'min'): (string | undefined)[] {
  const y = node.outputs[0]!;
  const xs = node.inputs.filter((i) => i);
  if (xs.length === 1) return [dy];
  const hit = xs.map((x) => floatMask(e, kind === 'max' ? 'Less' : 'Greater', x, y, true));
  let count = hit[0]!;
  for (const h of hit.slice(1)) count = binary(e, 'Add', count, h);
  const share = binary(e, 'Div', dy!, count);
  return node.inputs.map((x, i) =>
    need[i] && x ? unbroadcast(e, binary(e, 'Mul', share, hit[i]!), e.shape(x)) : undefined,
  );
}
