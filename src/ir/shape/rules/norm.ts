import { attrInt } from '../../attrs.js';
import type { Dim } from '../../graph.js';
import { normAxis, sameAs, type OutInfo, type ShapeRule } from '../context.js';

/** LayerNormalization: Y like X; the optional Mean and InvStdDev keep X's leading dims and are 1 from `axis` on. */
const layerNorm: ShapeRule = (c) => {
  const x = c.shape(0);
  const axis = normAxis(c, attrInt(c.node.attrs, 'axis', -1), x.length);
  const stat: Dim[] = x.map((d, i) => (i < axis ? d : 1));
  const outs: OutInfo[] = [sameAs(c)];
  for (let i = 1; i < c.node.outputs.length; i++) outs.push({ dtype: 'float32', shape: [...stat] });
  return outs;
};

/** GroupNormalization: channels must split evenly into num_groups. */
const groupNorm: ShapeRule = (c) => {
  const x = c.shape(0);
  const groups = attrInt(c.node.attrs, 'num_groups') ?? c.fail('num_groups attribute is required');
  if (typeof x[1] === 'number' && x[1] % groups !== 0) c.fail(`${x[1]} channels do not split into ${groups} groups`);
  return [sameAs(c)];
};

export const normRules: Record<string, ShapeRule> = {
  LayerNormalization: layerNorm,
  GroupNormalization: groupNorm,
  InstanceNormalization: (c) => [sameAs(c)],
};
