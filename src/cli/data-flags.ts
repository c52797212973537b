/**
 * Flags that shape image data, shared by every command that reads `--data`: `--resize`, `--crop`, `--normalize`,
 * `--skip-bad-images`. Without them an image folder is converted to the model's input (channels, size) as is.
 */
import type { Command } from 'commander';
import type { Normalize } from '../data/dataset.js';
import { parseCrop } from '../data/image-transform.js';
import { type ChannelNormalize, parseNormalizeSpec } from '../data/normalize.js';
import type { ImageOptions } from '../data/sources.js';
import { parseIntFlag } from './flags.js';

export interface DataFlags {
  resize?: number;
  crop?: [number, number];
  normalize?: Normalize | ChannelNormalize;
  skipBadImages?: boolean;
  json?: boolean;
}

/** Add the image-data flags a command does not have yet. */
export function addDataFlags(cmd: Command): Command {
  const has = (flag: string) => cmd.options.some((o) => o.long === flag);
  if (!has('--resize'))
    cmd.option(
      '--resize <px>',
      'image data: shorter side after resizing (default: the crop size)',
      parseIntFlag('--resize', 1),
    );
  if (!has('--crop'))
    cmd.option('--crop <HxW>', "image data: centre crop (default: the model's input size)", parseCrop);
  if (!has('--normalize'))
    cmd.option(
      '--normalize <spec>',
      '(pixel/255 - MEAN) / STD: MEAN,STD, per-channel means then stds, or imagenet',
      parseNormalizeSpec,
    );
  if (!has('--skip-bad-images'))
    cmd.option('--skip-bad-images', 'image data: skip files that do not decode (and say how many) instead of failing');
  return cmd;
}

/** The image options of the flags; skipped files are reported on stderr unless --json. */
export function imageOptionsOf(f: DataFlags): Omit<ImageOptions, 'target'> {
  return {
    resize: f.resize,
    crop: f.crop,
    skipBadImages: f.skipBadImages,
    log: (line) => process.stderr.write(`${line}\n`),
  };
}
