/**
 * `--normalize`: one MEAN,STD for every channel, one mean and std per channel (`m1,m2,m3,s1,s2,s3`), or a preset
 * (`imagenet`: torchvision's ImageNet statistics). Applied after pixels are scaled to [0, 1]: (x − mean) / std.
 */
import { ReproError } from '../util/errors.js';
import { parseDecimal } from '../util/numbers.js';

/** One mean and std for every value. */
export interface Normalize {
  mean: number;
  std: number;
}

/** Per-channel statistics; a single value applies to every channel. */
export interface ChannelNormalize {
  mean: readonly number[];
  std: readonly number[];
}

export const NORMALIZE_PRESETS: Record<string, ChannelNormalize> = {
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  mnist: { mean: [0.1307], std: [0.3081] },
};

const HELP = `expected MEAN,STD, per-channel means then stds (e.g. 0.5,0.5,0.5,0.25,0.25,0.25), or a preset (${Object.keys(NORMALIZE_PRESETS).join(', ')})`;

/** Parse the flag's value; stds must be positive and every number finite. */
export function parseNormalizeSpec(text: string): Normalize | ChannelNormalize {
  const preset = NORMALIZE_PRESETS[text.trim().toLowerCase()];
  if (preset) return preset;
  const parts = text.split(',').map((s) => s.trim());
  // Plain decimals only: Number() would also take '0x1', '0b1' and ' ' (as 0).
  const nums = parts.map((p) => parseDecimal(p) ?? Number.NaN);
  if (parts.length < 2 || parts.length % 2 !== 0 || nums.some((v) => !Number.isFinite(v)))
    throw new ReproError(`--normalize ${text}: ${HELP}`);
  const half = nums.length / 2;
  const mean = nums.slice(0, half);
  const std = nums.slice(half);
  if (std.some((s) => !(s > 0))) throw new ReproError(`--normalize ${text}: every std must be positive`);
  return half === 1 ? { mean: mean[0]!, std: std[0]! } : { mean, std };
}

export function isChannelNormalize(n: Normalize | ChannelNormalize | undefined): n is ChannelNormalize {
  return !!n && Array.isArray(n.mean);
}

/** Text for cache keys and messages. */
export function normalizeKey(n: Normalize | ChannelNormalize | undefined): string {
  if (!n) return '';
  return isChannelNormalize(n) ? `${n.mean.join(',')}/${n.std.join(',')}` : `${n.mean},${n.std}`;
}

/** (x − mean[c]) / std[c] in place over NCHW samples of `channels` × `plane` values. */
export function applyChannelNormalize(
  images: Float32Array,
  channels: number,
  plane: number,
  n: ChannelNormalize,
  where: string,
): void {
  if (n.mean.length !== n.std.length || (n.mean.length !== 1 && n.mean.length !== channels))
    throw new ReproError(
      `--normalize: ${n.mean.length} means/stds given but ${where} has ${channels} channels; give 1 or ${channels} of each`,
    );
  const per = channels * plane;
  for (let base = 0; base < images.length; base += per) {
    for (let c = 0; c < channels; c++) {
      const k = n.mean.length === 1 ? 0 : c;
      const a = 1 / n.std[k]!;
      const b = -n.mean[k]! / n.std[k]!;
      const start = base + c * plane;
      for (let i = start; i < start + plane; i++) images[i] = images[i]! * a + b;
    }
  }
}
