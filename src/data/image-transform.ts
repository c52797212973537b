/**
 * Decoded pixels → the model's input: channels converted (gray ↔ RGB), the shorter side resized, a centre crop,
 * and the result kept as 8-bit CHW (like PIL before `ToTensor`), so scaling to [0, 1] and normalizing happen in one
 * place for every data source (`buildDataset`). The target comes from the caller as plain numbers.
 *
 * Resizing is separable resampling with a triangle (bilinear) filter whose support widens with the downscale factor
 * (antialiased, as PIL's and torchvision's bilinear resize): a 2× reduction averages 4 source pixels per axis with
 * weights 1/8, 3/8, 3/8, 1/8. Sampling is pixel-centred (`align_corners=False`); an unchanged size is the identity.
 */
import { ReproError } from '../util/errors.js';
import type { DecodedImage } from './image-decode.js';

/** What an image becomes: channels, the shorter side after resizing, and the centre crop [height, width]. */
export interface ImageTransformSpec {
  channels: 1 | 3;
  /** Shorter side after resizing (the longer side keeps the aspect ratio, rounded down as torchvision does). */
  resize: number;
  crop: [number, number];
}

/** The model input a transform targets; a size the model leaves open (symbolic) is undefined. */
export interface TargetShape {
  channels?: number;
  height?: number;
  width?: number;
}

/** Overrides of the defaults: `--resize S` (shorter side) and `--crop HxW`. */
export interface TransformOverrides {
  resize?: number;
  crop?: [number, number];
}

/**
 * The transform for a target: channels and crop from the model input, the shorter side resized to the crop's longer
 * side (no margin, so images already at the model's size pass unchanged). An open channel count means RGB.
 */
export function transformFor(target: TargetShape, o: TransformOverrides = {}): ImageTransformSpec {
  const channels = target.channels ?? 3;
  if (channels !== 1 && channels !== 3)
    throw new ReproError(`model input has ${channels} channels; image folders feed 1 (gray) or 3 (RGB) channel models`);
  const { height, width } = target;
  const crop = o.crop ?? (height !== undefined && width !== undefined ? [height, width] : undefined);
  if (!crop) throw new ReproError('the model input has no fixed height and width; give the image size with --crop HxW');
  if ((height !== undefined && crop[0] !== height) || (width !== undefined && crop[1] !== width))
    throw new ReproError(
      `--crop ${crop.join('x')}: the model takes ${height ?? '?'}x${width ?? '?'} images; the crop must match it`,
    );
  const resize = o.resize ?? Math.max(crop[0], crop[1]);
  if (!(Number.isInteger(resize) && resize >= 1 && resize <= 16384))
    throw new ReproError(`--resize ${resize}: expected a whole number of pixels in [1, 16384]`);
  return { channels, resize, crop: [crop[0], crop[1]] };
}

/**
 * PIL's 'L' conversion (ITU-R 601-2 luma in 16-bit fixed point), exact on gray pixels stored as RGB; gray → RGB
 * repeats the value; alpha is dropped. Returns HWC with `channels` samples per pixel.
 */
export function convertChannels(img: DecodedImage, channels: 1 | 3): Uint8Array {
  const n = img.width * img.height;
  const src = img.data;
  const c = img.channels;
  const hasColour = c >= 3;
  if (channels === 1) {
    if (c === 1) return src;
    const out = new Uint8Array(n);
    for (let p = 0; p < n; p++) {
      const b = p * c;
      out[p] = hasColour ? (src[b]! * 19595 + src[b + 1]! * 38470 + src[b + 2]! * 7471 + 0x8000) >> 16 : src[b]!;
    }
    return out;
  }
  if (c === 3) return src;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const b = p * c;
    for (let k = 0; k < 3; k++) out[3 * p + k] = hasColour ? src[b + k]! : src[b]!;
  }
  return out;
}

/** For each output index: the first source index and the normalized weights of the source pixels it reads. */
export interface Taps {
  start: Int32Array;
  weights: Float64Array[];
}

/**
 * Taps mapping `outSize` pixels onto the source window [offset, offset + span) of a row of `inSize` pixels
 * (the whole row by default). The filter is a triangle of half-width max(1, span / outSize).
 */
export function filterTaps(inSize: number, outSize: number, offset = 0, span = inSize): Taps {
  const scale = span / outSize;
  const support = Math.max(1, scale);
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  const lo = Math.max(0, Math.floor(offset));
  const hi = Math.min(inSize, Math.ceil(offset + span));
  for (let i = 0; i < outSize; i++) {
    const centre = offset + (i + 0.5) * scale;
    const first = Math.max(lo, Math.floor(centre - support));
    const last = Math.min(hi - 1, Math.ceil(centre + support));
    const w = new Float64Array(Math.max(0, last - first + 1));
    let sum = 0;
    for (let j = first; j <= last; j++) {
      const v = Math.max(0, 1 - Math.abs((j + 0.5 - centre) / support));
      w[j - first] = v;
      sum += v;
    }
    if (sum > 0) for (let k = 0; k < w.length; k++) w[k]! /= sum;
    start[i] = first;
    weights.push(w);
  }
  return { start, weights };
}

/** Resample one plane (row-major `sh`×`sw`) with row and column taps; float64 out, `rows.start.length` × `cols.start.length`. */
export function resamplePlane(src: ArrayLike<number>, sw: number, rows: Taps, cols: Taps): Float64Array {
  const dh = rows.start.length;
  const dw = cols.start.length;
  const sh = src.length / sw;
  // Columns first: every source row → dw values; then each output row mixes those rows.
  const mid = new Float64Array(sh * dw);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      const w = cols.weights[x]!;
      const base = y * sw + cols.start[x]!;
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k]! * src[base + k]!;
      mid[y * dw + x] = acc;
    }
  }
  const out = new Float64Array(dh * dw);
  for (let y = 0; y < dh; y++) {
    const w = rows.weights[y]!;
    const s = rows.start[y]!;
    for (let x = 0; x < dw; x++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k]! * mid[(s + k) * dw + x]!;
      out[y * dw + x] = acc;
    }
  }
  return out;
}

/** Size after resizing the shorter side to `shorter` (longer side rounded down, as torchvision's Resize). */
export function resizedSize(height: number, width: number, shorter: number): [number, number] {
  if (height <= width) return [shorter, Math.max(1, Math.floor((shorter * width) / height))];
  return [Math.max(1, Math.floor((shorter * height) / width)), shorter];
}

/** Top-left corner of a centred crop (rounded down); negative when the crop is larger (the rest is padded with 0). */
export function cropOrigin(size: number, crop: number): number {
  return Math.floor((size - crop) / 2);
}

/** One decoded image → 8-bit CHW of `spec.channels` × crop, values rounded and clamped like an 8-bit image. */
export function transformImage(img: DecodedImage, spec: ImageTransformSpec): Uint8Array {
  const c = spec.channels;
  const hwc = convertChannels(img, c);
  const [rh, rw] = resizedSize(img.height, img.width, spec.resize);
  const [ch, cw] = spec.crop;
  const identity = rh === img.height && rw === img.width;
  const rows = filterTaps(img.height, rh);
  const cols = filterTaps(img.width, rw);
  const top = cropOrigin(rh, ch);
  const left = cropOrigin(rw, cw);
  const out = new Uint8Array(c * ch * cw);
  const plane = new Uint8Array(img.width * img.height);
  for (let k = 0; k < c; k++) {
    for (let p = 0; p < plane.length; p++) plane[p] = hwc[p * c + k]!;
    const resized: ArrayLike<number> = identity ? plane : resamplePlane(plane, img.width, rows, cols);
    for (let y = 0; y < ch; y++) {
      const sy = y + top;
      if (sy < 0 || sy >= rh) continue;
      for (let x = 0; x < cw; x++) {
        const sx = x + left;
        if (sx < 0 || sx >= rw) continue;
        const v = Math.round(resized[sy * rw + sx]!);
        out[k * ch * cw + y * cw + x] = v < 0 ? 0 : Math.min(v, 255);
      }
    }
  }
  return out;
}

/** `--crop 224` or `--crop 224x192` (height x width). */
export function parseCrop(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(text.trim());
  const h = m ? Number(m[1]) : Number.NaN;
  const w = m?.[2] !== undefined ? Number(m[2]) : h;
  if (!(h >= 1 && w >= 1 && h <= 16384 && w <= 16384))
    throw new ReproError(`--crop ${text}: expected SIZE or HEIGHTxWIDTH in pixels, e.g. --crop 224 or --crop 224x192`);
  return [h, w];
}
