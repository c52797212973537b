/**
 * Bad data end to end through `node bin/reprune.js eval`: wrong image size for the model, labels beyond the
 * model's classes, NaN in inputs, NaN in weights, an empty dataset, image/label files of different lengths.
 * Each: exit 2, one `error:` line naming the file (or --data folder) and the problem, nothing written.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { writeIdx, type IdxData } from '../../src/data/idx.js';
import { buildModel } from '../../src/models/index.js';
import { saveOnnx } from '../../src/onnx/save.js';
import { assertCleanError, pool, runCli, runInProcess, scratch, zooFile } from './helpers.js';

describe('bad data through the CLI', () => {
  const root = scratch();
  /** A dataset folder with the same images/labels for the train and t10k splits. */
  const dataset = (name: string, images: IdxData, idims: number[], labels: IdxData, ldims: number[]) => {
    const d = path.join(root, name);
    fs.mkdirSync(d);
    for (const split of ['train', 't10k']) {
      writeIdx(path.join(d, `${split}-images-idx3-ubyte`), images, idims);
      writeIdx(path.join(d, `${split}-labels-idx1-ubyte`), labels, ldims);
    }
    return { dir: d, images: path.join(d, 't10k-images-idx3-ubyte'), labels: path.join(d, 't10k-labels-idx1-ubyte') };
  };
  const mlp = zooFile(root); // built for [N, 784]
  const nanImages = new Float32Array(8 * 784);
  nanImages[3 * 784 + 17] = NaN;
  const nanWeights = buildModel('mlp', { seed: 0 });
  (nanWeights.initializers.get('fc2.weight')!.data as Float32Array)[42] = Number.NaN;
  const nanModel = path.join(root, 'nan-weights.onnx');
  saveOnnx(nanWeights, nanModel);

  const tenClasses = Uint8Array.from({ length: 10 }, (_, i) => i);
  const d32 = dataset('size32', new Uint8Array(10 * 32 * 32), [10, 32, 32], tenClasses, [10]);
  const dLabel = dataset(
    'label12',
    new Uint8Array(8 * 784),
    [8, 28, 28],
    Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 12]),
    [8],
  );
  const dNan = dataset('nan', nanImages, [8, 28, 28], new Uint8Array(8), [8]);
  const dEmpty = dataset('empty', new Uint8Array(0), [0, 28, 28], new Uint8Array(0), [0]);
  const dCount = dataset('count', new Uint8Array(8 * 784), [8, 28, 28], new Uint8Array(7), [7]);
  const good = dataset('good', new Uint8Array(8 * 784), [8, 28, 28], new Uint8Array(8), [8]);

  const cases: Array<{ name: string; args: string[]; names: string[]; what: RegExp }> = [
    {
      name: '32×32 images for a 784-input mlp',
      args: [mlp, '--data', d32.dir],
      names: [mlp, d32.dir],
      what: /shape \[N, 784\].*\[1, 32, 32\]/,
    },
    {
      name: 'label 12 for a 10-class model',
      args: [mlp, '--data', dLabel.dir],
      names: [mlp, dLabel.dir],
      what: /label 12 at index 7 is not one of the model's 10 classes/,
    },
    {
      name: 'NaN in the input images',
      args: [mlp, '--data', dNan.dir],
      names: [dNan.images],
      what: /NaN at element 2369 \(sample 3\)/,
    },
    {
      name: 'NaN in the weights',
      args: [nanModel, '--data', good.dir],
      names: [nanModel, 'fc2.weight'],
      what: /holds NaN at element 42/,
    },
    { name: 'empty dataset', args: [mlp, '--data', dEmpty.dir], names: [dEmpty.images], what: /empty dataset/ },
    {
      name: 'IDX image and label counts differ',
      args: [mlp, '--data', dCount.dir],
      names: [dCount.images, dCount.labels],
      what: /8 images but .* 7 labels/,
    },
  ];
  const runs = pool(cases.map((c) => () => runCli(['eval', ...c.args])));
  cases.forEach((c, i) => {
    test(`eval: ${c.name}`, async () => assertCleanError((await runs)[i]!, c.names, c.what));
  });

  test('the clean dataset evaluates (the fixtures are otherwise valid)', async () => {
    const r = await runInProcess(['eval', mlp, '--data', good.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).samples, 8);
  });

  test('train refuses mismatched data before writing anything', async () => {
    const out = path.join(root, 'out.onnx');
    assertCleanError(
      await runInProcess(['train', '--arch', 'mlp', '--data', d32.dir, '--epochs', '1', '-o', out]),
      ["'input'"],
      /784.*32, 32/,
    );
    assertCleanError(
      await runInProcess(['train', '--arch', 'mlp', '--data', dNan.dir, '--epochs', '1', '-o', out]),
      [dNan.images.replace('t10k', 'train')],
      /NaN/,
    );
    assertCleanError(
      await runInProcess(['train', '--arch', 'mlp', '--data', good.dir, '--epochs', '1', '-o', out]),
      ['--data', good.dir],
      /1 class; a classifier needs at least 2/,
    );
    assert.ok(!fs.existsSync(out));
    assert.equal(fs.readdirSync(root).filter((f) => f.endsWith('.tmp')).length, 0);
  });
});
