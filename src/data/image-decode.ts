/**
 * PNG and JPEG files → 8-bit pixels. The format is read from the file's first bytes, not its name, so a text file
 * named `.png` is refused as "not a PNG or JPEG image". Decoders were chosen by measured throughput (`reprune bench
 * data`): pngjs (pure JS) decodes PNG faster than sharp at both 28×28 and 224×224, because sharp's per-call cost
 * dominates small files; sharp (libvips + libjpeg-turbo, shipped inside its npm packages) decodes 224×224 JPEGs 3–4×
 * faster than jpeg-js and gives the same pixels as PIL, which PyTorch users' pipelines use. Both load on first use.
 */
import { ReproError } from '../util/errors.js';

/** Decoded pixels, row-major HWC, 8 bits per sample. `channels`: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'png' or 'jpeg' from the magic bytes, or undefined. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Decode one PNG or JPEG file's bytes; every failure is a one-line ReproError naming `file`. */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<DecodedImage> {
  const format = sniffImageFormat(bytes);
  if (!format)
    throw new ReproError(`${file}: not a PNG or JPEG image (its first bytes are neither signature); remove or fix it`);
  try {
    return format === 'png' ? await decodePng(bytes) : await decodeJpeg(bytes);
  } catch (e) {
    if (e instanceof ReproError) throw new ReproError(`${file}: ${e.message}`);
    const why = ((e as Error).message ?? String(e)).split('\n')[0];
    throw new ReproError(
      `${file}: corrupt or truncated ${format.toUpperCase()} (${why}); re-export or remove the file`,
    );
  }
}

/** PNG colour types (IHDR byte 25) → the channels the image really has (palettes count as RGB or RGBA). */
function pngChannels(bytes: Uint8Array): 1 | 2 | 3 | 4 {
  const colorType = bytes[25];
  if (colorType === 0) return 1;
  if (colorType === 4) return 2;
  if (colorType === 6) return 4;
  return 3;
}

type PngModule = typeof import('pngjs');
type SharpModule = typeof import('sharp');
let pngjs: Promise<PngModule> | undefined;
let sharpModule: Promise<SharpModule> | undefined;

function loadPngjs(): Promise<PngModule> {
  pngjs ??= import('pngjs');
  return pngjs;
}

async function loadSharp(): Promise<SharpModule['default']> {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

async function decodePng(bytes: Uint8Array): Promise<DecodedImage> {
  if (bytes.length < 33) throw new ReproError('truncated PNG (no complete IHDR header)');
  const { PNG } = await loadPngjs();
  // pngjs always returns RGBA (16-bit samples scaled to 8); keep only the channels the file has.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const channels = pngChannels(bytes);
  const n = png.width * png.height;
  const rgba = png.data;
  const data = new Uint8Array(n * channels);
  const pick = channels === 1 ? [0] : channels === 2 ? [0, 3] : channels === 3 ? [0, 1, 2] : [0, 1, 2, 3];
  for (let p = 0; p < n; p++) for (let c = 0; c < channels; c++) data[p * channels + c] = rgba[4 * p + pick[c]!]!;
  return { width: png.width, height: png.height, channels, data };
}

async function decodeJpeg(bytes: Uint8Array): Promise<DecodedImage> {
  const sharp = await loadSharp();
  // failOn 'truncated' (not sharp's default 'warning'): a cut-off JPEG is an error, a harmless warning is not.
  const { data, info } = await sharp(bytes, { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
  const channels = info.channels as DecodedImage['channels'];
  return {
    width: info.width,
    height: info.height,
    channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/**
 * Encode 8-bit HWC pixels as PNG or JPEG (for tests, benches and users who convert .npy data to folders).
 * `quality` applies to JPEG (1–100, default 90).
 */
export async function encodeImage(img: DecodedImage, format: ImageFormat, quality = 90): Promise<Uint8Array> {
  const sharp = await loadSharp();
  const raw = { width: img.width, height: img.height, channels: img.channels };
  let s = sharp(img.data, { raw });
  if (img.channels === 1) s = s.toColourspace('b-w');
  const out = format === 'png' ? await s.png().toBuffer() : await s.jpeg({ quality }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
