import type { GradRule } from '../types.js';
import { extremumGrad } from './extremum-util.js';

/** n-ary elementwise maximum; ties split the gradient evenly (extremum-util.ts). */
export const Max: GradRule = { grad: (a) => extremumGrad(a, 'max') };
