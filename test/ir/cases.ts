/** Every op-case table, for the tests that run over all of them (ORT comparison, folding, round trip, checker). */
import { EXPORT_CASES } from './cases-export.js';
import { NN_CASES } from './cases-nn.js';
import { RESIZE_CASES } from './cases-resize.js';
import { TENSOR_CASES } from './cases-tensor.js';
import type { OpCase } from './harness.js';

export const OP_CASES: OpCase[] = [...NN_CASES, ...TENSOR_CASES, ...EXPORT_CASES, ...RESIZE_CASES];
