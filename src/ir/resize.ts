/**
 * Resize (opset 10–19) and Upsample (7–9) semantics, shared by shape inference, the reference kernel and the
 * gradient rule. Every supported mode is separable and linear per axis: output index o along an axis reads input
 * indices with fixed weights, so one axis is a dense matrix [out, in] and the whole op is x multiplied by one such
 * matrix per resized axis (rows "outside" take extrapolation_value in tf_crop_and_resize). The coordinate
 * arithmetic runs in float32 (Math.fround) like ONNX Runtime, so nearest-neighbour ties round the same way.
 */
import { attrFloat, attrFloats, attrInt, attrInts, attrString } from './attrs.js';
import type { Dim, Node } from './graph.js';
import { ReproError } from '../util/errors.js';

const f = Math.fround;

export interface ResizeSettings {
  mode: 'nearest' | 'linear' | 'cubic';
  coord: string;
  /** round_prefer_floor | round_prefer_ceil | floor | ceil | simple (Upsample / Resize-10: trunc up, ceil down). */
  nearestMode: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  antialias: boolean;
  /** Axes that roi/scales/sizes refer to (opset 18 `axes`), undefined = all. */
  axes?: number[];
  policy: string;
}

/** Where a Resize/Upsample node takes roi, scales and sizes from (input index, or -1 when the opset has none). */
export interface ResizeInputs {
  roi: number;
  scales: number;
  sizes: number;
  /** Upsample-7 keeps its scales in an attribute. */
  scalesAttr?: number[];
}

const COORD_MODES = new Set([
  'half_pixel',
  'half_pixel_symmetric',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_half_pixel_for_nn',
  'tf_crop_and_resize',
]);

function fail(node: Node, msg: string): never {
  throw new ReproError(`node '${node.name}' (${node.opType}): ${msg}`);
}

/** Attributes of a Resize/Upsample node with the defaults (and fixed behaviour) of its opset. */
export function resizeSettings(node: Node, opset: number): ResizeSettings {
  const legacy = node.opType === 'Upsample' || opset < 11;
  let mode = attrString(node.attrs, 'mode', 'nearest');
  if (mode === 'bilinear' || mode === 'trilinear') mode = 'linear';
  if (mode !== 'nearest' && mode !== 'linear' && mode !== 'cubic') fail(node, `mode '${mode}' is not a Resize mode`);
  const coord = legacy ? 'asymmetric' : attrString(node.attrs, 'coordinate_transformation_mode', 'half_pixel');
  if (!COORD_MODES.has(coord)) fail(node, `coordinate_transformation_mode '${coord}' is not supported`);
  return {
    mode,
    coord,
    nearestMode: legacy ? 'simple' : attrString(node.attrs, 'nearest_mode', 'round_prefer_floor'),
    cubicA: attrFloat(node.attrs, 'cubic_coeff_a', -0.75),
    excludeOutside: attrInt(node.attrs, 'exclude_outside', 0) === 1,
    extrapolation: attrFloat(node.attrs, 'extrapolation_value', 0),
    antialias: attrInt(node.attrs, 'antialias', 0) === 1,
    axes: attrInts(node.attrs, 'axes'),
    policy: attrString(node.attrs, 'keep_aspect_ratio_policy', 'stretch'),
  };
}

export function resizeInputs(node: Node, opset: number): ResizeInputs {
  if (node.opType === 'Upsample') {
    if (opset < 9) return { roi: -1, scales: -1, sizes: -1, scalesAttr: attrFloats(node.attrs, 'scales') ?? [] };
    return { roi: -1, scales: 1, sizes: -1 };
  }
  if (opset < 11) return { roi: -1, scales: 1, sizes: -1 };
  return { roi: 1, scales: 2, sizes: 3 };
}

/** roi/scales/sizes read through `read` (input index → known contents, undefined when unknown or omitted). */
export function resizeArgs(node: Node, opset: number, read: (i: number) => Dim[] | undefined): ResizeArgs {
  const ix = resizeInputs(node, opset);
  const get = (i: number) => (i >= 0 && node.inputs[i] ? read(i) : undefined);
  const nums = (v: Dim[] | undefined) => (v?.every((d) => typeof d === 'number') ? v : undefined);
  return { roi: nums(get(ix.roi)), scales: ix.scalesAttr ?? nums(get(ix.scales)), sizes: get(ix.sizes) };
}

/** roi/scales/sizes of one node as known numbers (an empty tensor counts as absent, as in opset 11–12 exports). */
export interface ResizeArgs {
  roi?: number[];
  scales?: number[];
  sizes?: Dim[];
}

/** Per-axis output length and scale. `axes` expanded to every axis of the input. */
export interface AxisPlan {
  out: Dim;
  /** Scale used by the coordinate transform (scales input, or out/in from sizes). */
  scale: number;
  roiStart: number;
  roiEnd: number;
}

function expandToRank(node: Node, s: ResizeSettings, rank: number, vals: number[] | Dim[], fill: number | Dim): Dim[] {
  const axes = (s.axes ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  if (vals.length !== axes.length)
    fail(node, `scales/sizes have ${vals.length} entries for ${axes.length} axes of a rank-${rank} input`);
  const out: Dim[] = new Array<Dim>(rank).fill(fill);
  axes.forEach((a, k) => {
    out[a] = vals[k]!;
  });
  return out;
}

/** Output length and scale per axis. Symbolic input lengths stay symbolic where the scale is 1 (batch, channels). */
export function resizePlan(
  node: Node,
  s: ResizeSettings,
  inDims: Dim[],
  args: ResizeArgs,
  fresh: () => Dim,
): AxisPlan[] {
  const rank = inDims.length;
  const roi = roiPerAxis(node, s, rank, args.roi);
  if (args.sizes && args.sizes.length > 0) return planFromSizes(node, s, inDims, args.sizes, roi);
  if (!args.scales || args.scales.length === 0) fail(node, 'needs constant scales or sizes (neither is known)');
  const scales = expandToRank(node, s, rank, args.scales, 1) as number[];
  return inDims.map((d, i) => {
    const scale = scales[i]!;
    const span = s.coord === 'tf_crop_and_resize' ? roi[i]![1] - roi[i]![0] : 1;
    let out: Dim;
    if (scale === 1 && span === 1) out = d;
    else if (typeof d === 'number') out = Math.floor(span === 1 ? f(d * f(scale)) : f(f(d * span) * f(scale)));
    else out = fresh();
    return { out, scale, roiStart: roi[i]![0], roiEnd: roi[i]![1] };
  });
}

function roiPerAxis(node: Node, s: ResizeSettings, rank: number, roi: number[] | undefined): [number, number][] {
  const out: [number, number][] = Array.from({ length: rank }, () => [0, 1]);
  if (s.coord !== 'tf_crop_and_resize' || !roi || roi.length === 0) return out;
  const axes = (s.axes ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  if (roi.length !== 2 * axes.length) fail(node, `roi has ${roi.length} entries, expected ${2 * axes.length}`);
  axes.forEach((a, k) => {
    out[a] = [roi[k]!, roi[k + axes.length]!];
  });
  return out;
}

function planFromSizes(
  node: Node,
  s: ResizeSettings,
  inDims: Dim[],
  sizes: Dim[],
  roi: [number, number][],
): AxisPlan[] {
  const rank = inDims.length;
  const target = expandToRank(node, s, rank, sizes, -1);
  const resized = target.map((t) => t !== -1);
  if (s.policy !== 'stretch') {
    let k = s.policy === 'not_larger' ? Infinity : -Infinity;
    target.forEach((t, i) => {
      if (!resized[i]) return;
      const d = inDims[i]!;
      if (typeof t !== 'number' || typeof d !== 'number') fail(node, `keep_aspect_ratio_policy needs static sizes`);
      const r = f(f(t) / f(d));
      k = s.policy === 'not_larger' ? Math.min(k, r) : Math.max(k, r);
    });
    return inDims.map((d, i) => {
      if (!resized[i]) return { out: d, scale: 1, roiStart: roi[i]![0], roiEnd: roi[i]![1] };
      return { out: Math.round(f(k * (d as number))), scale: k, roiStart: roi[i]![0], roiEnd: roi[i]![1] };
    });
  }
  return inDims.map((d, i) => {
    const t = resized[i] ? target[i]! : d;
    const scale = typeof t === 'number' && typeof d === 'number' ? f(f(t) / f(d)) : t === d ? 1 : Number.NaN;
    return { out: t, scale, roiStart: roi[i]![0], roiEnd: roi[i]![1] };
  });
}
