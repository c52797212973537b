/**
 * Data for a model: the model's input shape decides what image folders become (channels, height, width), so
 * `reprune eval model.onnx --data photos/` needs no other flag when the input shape is fixed. The data layer gets the
 * target as plain numbers; reading it from the graph lives here, above both.
 */
import type { Dataset } from '../data/dataset.js';
import type { TargetShape } from '../data/image-transform.js';
import { type ImageOptions, type LoadOptions, loadDatasetAsync, type Split } from '../data/sources.js';
import type { Graph } from '../ir/graph.js';

const fixed = (d: unknown): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

/**
 * The image a model takes: [N, C, H, W] gives all three (symbolic dims stay open); a flat [N, F] input takes a
 * square gray image when F is a square (784 → 1×28×28), else a square RGB one when F/3 is (3072 → 3×32×32).
 */
export function inputTarget(g: Graph): TargetShape {
  const shape = g.inputs[0]?.shape;
  if (!shape) return {};
  if (shape.length === 4) return { channels: fixed(shape[1]), height: fixed(shape[2]), width: fixed(shape[3]) };
  if (shape.length === 3) return { channels: 1, height: fixed(shape[1]), width: fixed(shape[2]) };
  const f = shape.length === 2 ? fixed(shape[1]) : undefined;
  if (f === undefined) return {};
  const side = (n: number) => (Number.isInteger(Math.sqrt(n)) ? Math.sqrt(n) : undefined);
  const gray = side(f);
  if (gray) return { channels: 1, height: gray, width: gray };
  const rgb = f % 3 === 0 ? side(f / 3) : undefined;
  return rgb ? { channels: 3, height: rgb, width: rgb } : {};
}

/** A split of `spec` shaped for `g`'s input: image folders are resized and cropped to it; arrays load as they are. */
export function loadDataFor(
  g: Graph,
  spec: string,
  split: Split,
  opts: Omit<LoadOptions, 'image'> & { image?: Omit<ImageOptions, 'target'> } = {},
): Promise<Dataset> {
  return loadDatasetAsync(spec, split, { ...opts, image: { ...opts.image, target: inputTarget(g) } });
}
