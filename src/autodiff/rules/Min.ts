import type { GradRule } from '../types.js';
import { extremumGrad } from './extremum-util.js';

/** n-ary elementwise minimum; ties split the gradient evenly (extremum-util.ts). */
export const Min: GradRule = { grad: (a) => extremumGrad(a, 'min') };
