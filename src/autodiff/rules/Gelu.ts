import { attrString } from '../../ir/attrs.js';
import { binary, scale, unary } from '../prims.js';
import type { Emitter, GradRule } from '../types.js';
import { gaussian } from './Erf.js';

/** d/dx x·Φ(x) = Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = exp(−x²/2)/√(2π). */
function exactSlope(e: Emitter, x: string): string {
  const dt = e.dtype(x);
  const cdf = scale(e, binary(e, 'Add', unary(e, 'Erf', scale(e, x, Math.SQRT1_2)), e.scalar(1, dt)), 0.5);
  const pdf = scale(e, gaussian(e, x, 0.5), 1 / Math.sqrt(2 * Math.PI));
  return binary(e, 'Add', cdf, binary(e, 'Mul', x, pdf));
}

/** With u = k(x + c·x³), t = tanh(u): d/dx ½x(1 + t) = ½(1 + t) + ½x(1 − t²)·k(1 + 3c·x²). */
function tanhSlope(e: Emitter, x: string): string {
  const dt = e.dtype(x);
  const k = Math.sqrt(2 / Math.PI);
  const c = 0.044715;
  const x2 = binary(e, 'Mul', x, x);
  const u = scale(e, binary(e, 'Mul', x, binary(e, 'Add', scale(e, x2, c), e.scalar(1, dt))), k);
  const t = unary(e, 'Tanh', u);
  const half = scale(e, binary(e, 'Add', t, e.scalar(1, dt)), 0.5);
  const sech2 = binary(e, 'Sub', e.scalar(1, dt), binary(e, 'Mul', t, t));
  const du = scale(e, binary(e, 'Add', scale(e, x2, 3 * c), e.scalar(1, dt)), 0.5 * k);
  return binary(e, 'Add', half, binary(e, 'Mul', binary(e, 'Mul', x, sech2), du));
}

/** Gelu (opset 20), approximate = none or tanh: dX = dY·slope(x). */
export const Gelu: GradRule = {
  grad({ node, dy: [dy], e }) {
    const x = node.inputs[0]!;
    const tanh = attrString(node.attrs, 'approximate', 'none') === 'tanh';
    return [binary(e, 'Mul', dy!, tanh ? tanhSlope(e, x) : exactSlope(e, x))];
  },
};
