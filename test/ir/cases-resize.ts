import { A, type Attrs } from '../../src/ir/attrs.js';
import type { InputSpec, OpCase } from './harness.js';

const floats = (...v: number[]): InputSpec => ({ shape: [v.length], data: v, init: true });
const ints = (...v: number[]): InputSpec => ({ shape: [v.length], dtype: 'int64', data: v, init: true });
const omit: InputSpec = { shape: [], omit: true };
const empty: InputSpec = { shape: [0], data: [], init: true };
const X: InputSpec = { shape: ['N', 2, 4, 5] };
const S: InputSpec = { shape: [2, 2, 4, 5] };

const scaled = (name: string, scales: number[], attrs: Attrs, opset = 19): OpCase => ({
  name: `Resize ${name}`,
  op: 'Resize',
  inputs: [X, omit, floats(...scales)],
  attrs,
  opset,
});
const sized = (name: string, sizes: number[], attrs: Attrs, opset = 19): OpCase => ({
  name: `Resize ${name}`,
  op: 'Resize',
  inputs: [S, omit, omit, ints(...sizes)],
  attrs,
  opset,
});
const mode = (m: string, coord: string, extra: Attrs = {}): Attrs => ({
  mode: A.string(m),
  coordinate_transformation_mode: A.string(coord),
  ...extra,
});

/** Resize (opsets 10–19) and Upsample (7–9): modes, coordinate transforms, rounding, scales or sizes. */
export const RESIZE_CASES: OpCase[] = [
  scaled('nearest x2 half_pixel', [1, 1, 2, 2], {}),
  scaled(
    'nearest 0.5/0.6 asymmetric floor',
    [1, 1, 0.5, 0.6],
    mode('nearest', 'asymmetric', { nearest_mode: A.string('floor') }),
  ),
  scaled(
    'nearest x1.5 round_prefer_ceil',
    [1, 1, 1.5, 1.5],
    mode('nearest', 'half_pixel', { nearest_mode: A.string('round_prefer_ceil') }),
  ),
  scaled(
    'nearest x2.5 align_corners ceil',
    [1, 1, 2.5, 1.4],
    mode('nearest', 'align_corners', { nearest_mode: A.string('ceil') }),
  ),
  scaled('nearest 0.5 pytorch_half_pixel', [1, 1, 0.5, 0.5], mode('nearest', 'pytorch_half_pixel')),
  scaled('linear x2 half_pixel', [1, 1, 2, 2], mode('linear', 'half_pixel')),
  scaled('linear x1.5/0.6 pytorch_half_pixel', [1, 1, 1.5, 0.6], mode('linear', 'pytorch_half_pixel')),
  scaled('linear 0.5 asymmetric', [1, 1, 0.5, 0.5], mode('linear', 'asymmetric')),
  scaled('linear x1.7 half_pixel_symmetric', [1, 1, 1.7, 1.3], mode('linear', 'half_pixel_symmetric')),
  scaled('cubic x2 half_pixel', [1, 1, 2, 2], mode('cubic', 'half_pixel')),
  scaled(
    'cubic 0.6 exclude_outside a=-0.5',
    [1, 1, 0.6, 1.5],
    mode('cubic', 'asymmetric', { exclude_outside: A.int(1), cubic_coeff_a: A.float(-0.5) }),
  ),
  sized('nearest sizes', [2, 2, 8, 7], {}),
  sized('linear sizes align_corners', [2, 2, 7, 3], mode('linear', 'align_corners')),
  sized('linear sizes to 1 pytorch_half_pixel', [2, 2, 1, 9], mode('linear', 'pytorch_half_pixel')),
  sized('cubic sizes', [2, 2, 6, 8], mode('cubic', 'pytorch_half_pixel')),
  scaled('linear antialias 0.5', [1, 1, 0.5, 0.5], mode('linear', 'half_pixel', { antialias: A.int(1) })),
  scaled(
    'linear antialias 0.6/1.5 asymmetric',
    [1, 1, 0.6, 1.5],
    mode('linear', 'asymmetric', { antialias: A.int(1) }),
  ),
  scaled('cubic antialias 0.6', [1, 1, 0.6, 0.45], mode('cubic', 'half_pixel', { antialias: A.int(1) })),
  scaled(
    'cubic antialias exclude_outside',
    [1, 1, 0.5, 0.7],
    mode('cubic', 'pytorch_half_pixel', { antialias: A.int(1), exclude_outside: A.int(1) }),
  ),
  sized('linear antialias sizes', [2, 2, 3, 2], mode('linear', 'align_corners', { antialias: A.int(1) })),
  {
    name: 'Resize sizes axes opset 18 (symbolic batch)',
    op: 'Resize',
    inputs: [X, omit, omit, ints(9, 3)],
    attrs: { ...mode('linear', 'half_pixel'), axes: A.ints([2, 3]) },
    opset: 18,
  },
  {
    name: 'Resize scales axes -1 opset 18',
    op: 'Resize',
    inputs: [X, omit, floats(2)],
    attrs: { axes: A.ints([-1]) },
    opset: 18,
  },
  {
    name: 'Resize keep_aspect_ratio not_larger',
    op: 'Resize',
    inputs: [X, omit, omit, ints(8, 7)],
    attrs: { ...mode('linear', 'half_pixel'), axes: A.ints([2, 3]), keep_aspect_ratio_policy: A.string('not_larger') },
    opset: 18,
  },
  {
    name: 'Resize keep_aspect_ratio not_smaller',
    op: 'Resize',
    inputs: [X, omit, omit, ints(8, 7)],
    attrs: { axes: A.ints([2, 3]), keep_aspect_ratio_policy: A.string('not_smaller') },
    opset: 18,
  },
  {
    name: 'Resize tf_crop_and_resize extrapolation',
    op: 'Resize',
    inputs: [S, floats(0, 0, -0.2, 0.1, 1, 1, 0.8, 1.3), omit, ints(2, 2, 5, 6)],
    attrs: { ...mode('linear', 'tf_crop_and_resize'), extrapolation_value: A.float(-3) },
  },
  {
    name: 'Resize opset 11 sizes (empty roi and scales)',
    op: 'Resize',
    inputs: [S, empty, empty, ints(2, 2, 8, 10)],
    attrs: mode('nearest', 'asymmetric', { nearest_mode: A.string('floor') }),
    opset: 11,
  },
  {
    name: 'Resize opset 11 tf_half_pixel_for_nn',
    op: 'Resize',
    inputs: [X, empty, floats(1, 1, 1.5, 2)],
    attrs: mode('nearest', 'tf_half_pixel_for_nn'),
    opset: 11,
  },
  {
    name: 'Resize opset 13 linear scales',
    op: 'Resize',
    inputs: [X, omit, floats(1, 1, 2, 3)],
    attrs: mode('linear', 'align_corners'),
    opset: 13,
  },
  { name: 'Resize opset 10 nearest', op: 'Resize', inputs: [X, floats(1, 1, 2, 1.5)], opset: 10 },
  {
    name: 'Resize opset 10 linear',
    op: 'Resize',
    inputs: [X, floats(1, 1, 2, 2)],
    attrs: { mode: A.string('linear') },
    opset: 10,
  },
  { name: 'Upsample opset 9 nearest', op: 'Upsample', inputs: [X, floats(1, 1, 2, 3)], opset: 9 },
  {
    name: 'Upsample opset 9 linear',
    op: 'Upsample',
    inputs: [X, floats(1, 1, 2, 1.5)],
    attrs: { mode: A.string('linear') },
    opset: 9,
  },
  { name: 'Upsample opset 7 attr', op: 'Upsample', inputs: [X], attrs: { scales: A.floats([1, 1, 2, 2]) }, opset: 7 },
];
