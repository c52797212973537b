import { resizeArgs, resizePlan, resizeSettings } from '../../resize.js';
import type { ShapeRule } from '../context.js';

/**
 * Resize / Upsample: out = sizes, or floor(in · scale) (· roi span for tf_crop_and_resize). Unknown scales and
 * sizes (computed at run time) give fresh symbols of the same rank rather than refusing the model.
 */
const resize: ShapeRule = (c) => {
  const x = c.shape(0);
  const s = resizeSettings(c.node, c.opset);
  const args = resizeArgs(c.node, c.opset, (i) => c.value(i) ?? c.numbers(i));
  if (!args.scales?.length && !args.sizes?.length) return [{ dtype: c.dtype(0), shape: x.map(() => c.fresh()) }];
  const plan = resizePlan(c.node, s, x, args, c.fresh);
  return [{ dtype: c.dtype(0), shape: plan.map((p) => p.out) }];
};

export const resizeRules: Record<string, ShapeRule> = { Resize: resize, Upsample: resize };
