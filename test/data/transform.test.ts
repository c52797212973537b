/** Image transforms against pixels computed by hand: resampling weights, resize, centre crop, channels, normalize. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildDataset } from '../../src/data/dataset.js';
import type { DecodedImage } from '../../src/data/image-decode.js';
import {
  convertChannels,
  filterTaps,
  parseCrop,
  resizedSize,
  transformFor,
  transformImage,
} from '../../src/data/image-transform.js';
import { resizedCropInto } from '../../src/data/loader.js';
import { parseNormalizeSpec } from '../../src/data/normalize.js';
import { SeededRng } from '../../src/util/random.js';

const gray = (width: number, height: number, f: (x: number, y: number) => number): DecodedImage => ({
  width,
  height,
  channels: 1,
  data: Uint8Array.from({ length: width * height }, (_, p) => f(p % width, Math.floor(p / width))),
});

const close = (a: ArrayLike<number>, b: number[], eps = 1e-12) =>
  assert.ok(
    a.length === b.length && b.every((v, i) => Math.abs(a[i]! - v) <= eps),
    `[${Array.from(a).join(', ')}] vs [${b.join(', ')}]`,
  );

describe('resampling', () => {
  test('2× reduction: triangle of half-width 2, renormalized at the borders', () => {
    // Output 0 is centred at source 1.0: distances 0.5, 0.5, 1.5, 2.5 → weights 0.75, 0.75, 0.25, 0 (÷ 1.75).
    const t = filterTaps(4, 2);
    assert.deepEqual(Array.from(t.start), [0, 1]);
    close(t.weights[0]!, [3 / 7, 3 / 7, 1 / 7, 0]);
    close(t.weights[1]!, [1 / 7, 3 / 7, 3 / 7]);
    // Interior outputs of a longer row get PIL's bilinear weights 1/8, 3/8, 3/8, 1/8.
    const long = filterTaps(8, 4);
    close(long.weights[1]!, [1 / 8, 3 / 8, 3 / 8, 1 / 8, 0]);
  });

  test('an unchanged size is the identity', () => {
    const t = filterTaps(5, 5);
    for (let i = 0; i < 5; i++)
      close(
        t.weights[i]!.filter((w) => w > 0),
        [1],
      );
    const img = gray(5, 3, (x, y) => 40 * y + 7 * x);
    assert.deepEqual(transformImage(img, { channels: 1, resize: 3, crop: [3, 5] }), img.data);
  });

  test('resize 4×4 → 2×2 of v = 10y + x, by hand', () => {
    // Separable and linear: out = 10·E[y] + E[x] with E = (0·3 + 1·3 + 2·1)/7 = 5/7 and (1·1 + 2·3 + 3·3)/7 = 16/7.
    const out = transformImage(
      gray(4, 4, (x, y) => 10 * y + x),
      { channels: 1, resize: 2, crop: [2, 2] },
    );
    const e = [5 / 7, 16 / 7];
    assert.deepEqual(Array.from(out), [
      Math.round(10 * e[0]! + e[0]!),
      Math.round(10 * e[0]! + e[1]!),
      Math.round(10 * e[1]! + e[0]!),
      Math.round(10 * e[1]! + e[1]!),
    ]);
    assert.deepEqual(Array.from(out), [8, 9, 24, 25]);
  });

  test('shorter side then centre crop: 3×5 at shorter side 3, crop 3×3 keeps columns 1..3', () => {
    assert.deepEqual(resizedSize(3, 5, 3), [3, 5]);
    assert.deepEqual(resizedSize(480, 640, 224), [224, 298], 'longer side rounded down, as torchvision');
    const img = gray(5, 3, (x, y) => 10 * y + x);
    const out = transformImage(img, { channels: 1, resize: 3, crop: [3, 3] });
    assert.deepEqual(Array.from(out), [1, 2, 3, 11, 12, 13, 21, 22, 23]);
  });

  test('a crop larger than the image pads with zeros around the centred image', () => {
    const out = transformImage(
      gray(2, 2, () => 9),
      { channels: 1, resize: 2, crop: [4, 4] },
    );
    assert.deepEqual(Array.from(out), [0, 0, 0, 0, 0, 9, 9, 0, 0, 9, 9, 0, 0, 0, 0, 0]);
  });
});

describe('channels', () => {
  test("RGB → gray is PIL's L (ITU-R 601-2 luma, 16-bit fixed point); gray stays exact; alpha is dropped", () => {
    const rgba: DecodedImage = {
      width: 3,
      height: 1,
      channels: 4,
      data: Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 128, 100, 100, 100, 0]),
    };
    // 0.299·255 = 76.2 → 76; 0.587·255 = 149.7 → 150; gray 100 → 100.
    assert.deepEqual(Array.from(convertChannels(rgba, 1)), [76, 150, 100]);
    assert.deepEqual(Array.from(convertChannels(rgba, 3)), [255, 0, 0, 0, 255, 0, 100, 100, 100]);
  });

  test('gray → RGB copies the value into three planes (CHW out)', () => {
    const out = transformImage(
      gray(2, 1, (x) => 10 + x),
      { channels: 3, resize: 1, crop: [1, 2] },
    );
    assert.deepEqual(Array.from(out), [10, 11, 10, 11, 10, 11]);
  });
});

describe('scaling and normalization', () => {
  test('pixel/255, then (x − mean[c]) / std[c] per channel (imagenet preset)', () => {
    const imagenet = parseNormalizeSpec('imagenet');
    const px = Uint8Array.from([128, 0, 255]); // one pixel per channel, CHW [3, 1, 1]
    const ds = buildDataset(
      {
        name: 't',
        imagesFile: 'x',
        labelsFile: 'y',
        images: { data: px, dims: [1, 3, 1, 1] },
        labels: { data: Int32Array.from([0]), dims: [1] },
      },
      { normalize: imagenet },
    );
    close(ds.images, [(128 / 255 - 0.485) / 0.229, (0 - 0.456) / 0.224, (1 - 0.406) / 0.225], 1e-6);
    assert.deepEqual(parseNormalizeSpec('0.5,0.25'), { mean: 0.5, std: 0.25 });
    assert.deepEqual(parseNormalizeSpec('0.1,0.2,0.3,1,2,3'), { mean: [0.1, 0.2, 0.3], std: [1, 2, 3] });
    for (const bad of ['1,2,3', '0.5,0', 'x,1', '']) assert.throws(() => parseNormalizeSpec(bad), /--normalize/, bad);
  });
});

describe('transform from the model input', () => {
  test("defaults: channels and crop from the model, shorter side = the crop's longer side", () => {
    assert.deepEqual(transformFor({ channels: 1, height: 28, width: 28 }), { channels: 1, resize: 28, crop: [28, 28] });
    assert.deepEqual(transformFor({ channels: 3, height: 224, width: 224 }, { resize: 256 }), {
      channels: 3,
      resize: 256,
      crop: [224, 224],
    });
    assert.deepEqual(transformFor({}, { crop: parseCrop('32x48') }), { channels: 3, resize: 48, crop: [32, 48] });
    assert.throws(() => transformFor({ channels: 1, height: 28, width: 28 }, { crop: [32, 32] }), /--crop 32x32/);
    assert.throws(() => transformFor({ channels: 3 }), /give the image size with --crop/);
    assert.throws(() => transformFor({ channels: 4, height: 8, width: 8 }), /4 channels/);
    assert.throws(() => parseCrop('0x3'), /--crop 0x3/);
  });
});

describe('random resized crop', () => {
  test('keeps a constant image constant, stays seeded, and changes a varying one', () => {
    const shape = [2, 8, 8];
    const flat = new Float32Array(128).fill(0.25);
    const a = new Float32Array(128);
    resizedCropInto(flat, a, shape, 0.3, new SeededRng(1));
    close(a, new Array(128).fill(0.25), 1e-6);
    const ramp = Float32Array.from({ length: 128 }, (_, i) => (i % 8) / 8);
    const b = new Float32Array(128);
    const c = new Float32Array(128);
    resizedCropInto(ramp, b, shape, 0.3, new SeededRng(7));
    resizedCropInto(ramp, c, shape, 0.3, new SeededRng(7));
    assert.deepEqual(b, c);
    assert.notDeepEqual(b, ramp);
  });
});
