import type { ShapeRule } from './context.js';
import { convRules } from './rules/conv.js';
import { elementwiseRules } from './rules/elementwise.js';
import { generatorRules } from './rules/generators.js';
import { layoutRules } from './rules/layout.js';
import { linearRules } from './rules/linear.js';
import { normRules } from './rules/norm.js';
import { reduceRules } from './rules/reduce.js';
import { resizeRules } from './rules/resize.js';
import { slicingRules } from './rules/slicing.js';

/** Shape rule per ONNX op type (default domain). Adding an op = one entry here (+ a reference kernel + a test case). */
export const SHAPE_RULES: Readonly<Record<string, ShapeRule>> = {
  ...elementwiseRules,
  ...convRules,
  ...linearRules,
  ...layoutRules,
  ...slicingRules,
  ...reduceRules,
  ...generatorRules,
  ...normRules,
  ...resizeRules,
};

/** Every op type reprune understands, sorted. */
export const SUPPORTED_OPS: readonly string[] = Object.freeze(Object.keys(SHAPE_RULES).sort());
