/** External data: read only from files inside the model's own folder, with a range inside the file. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadOnnx } from '../../src/onnx/index.js';
import { decodeModel } from '../../src/onnx/decode.js';
import { ReproError } from '../../src/util/errors.js';
import { addModel, encodeProto, EXTERNAL, FLOAT } from './protos.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reprune-ext-'));
const modelDir = path.join(root, 'model');
fs.mkdirSync(path.join(modelDir, 'weights'), { recursive: true });
const payload = new Float32Array([1, 2, 3, 4]);
const bytes = new Uint8Array(payload.buffer);
// A file with 8 bytes of junk before the payload, to exercise `offset`.
fs.writeFileSync(path.join(modelDir, 'w.bin'), Buffer.concat([Buffer.alloc(8, 0xee), bytes]));
fs.writeFileSync(path.join(modelDir, 'weights', 'w.bin'), bytes);
fs.writeFileSync(path.join(root, 'outside.bin'), bytes);
fs.symlinkSync(path.join(root, 'outside.bin'), path.join(modelDir, 'escape.bin'));
fs.symlinkSync(path.join(modelDir, 'weights'), path.join(modelDir, 'inner-link'));

function modelWith(location: string, extra: Record<string, string> = {}): string {
  const entries = [
    { key: 'location', value: location },
    ...Object.entries(extra).map(([key, value]) => ({ key, value })),
  ];
  const m = addModel({ name: 'w', dataType: FLOAT, dims: [4], dataLocation: EXTERNAL, externalData: entries });
  const file = path.join(modelDir, `m${Math.random().toString(36).slice(2)}.onnx`);
  fs.writeFileSync(file, encodeProto(m));
  return file;
}

describe('ONNX external data', () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('files inside the model folder load (with offset/length, in subfolders, through inner symlinks)', () => {
    for (const [loc, extra] of [
      ['w.bin', { offset: '8', length: '16' }],
      ['w.bin', { offset: '8' }],
      ['weights/w.bin', {}],
      ['./weights/w.bin', {}],
      ['inner-link/w.bin', {}],
    ] as Array<[string, Record<string, string>]>) {
      const g = loadOnnx(modelWith(loc, extra));
      assert.deepEqual(Array.from(g.initializers.get('w')!.data as ArrayLike<number | bigint>), [1, 2, 3, 4], loc);
    }
  });

  test('paths leaving the folder are refused: .., absolute, symlink escape', () => {
    const cases: Array<[string, RegExp]> = [
      ['../outside.bin', /leaves the model's folder/],
      ['weights/../../outside.bin', /leaves the model's folder/],
      ['..\\outside.bin', /leaves the model's folder/],
      [path.join(root, 'outside.bin'), /leaves the model's folder/],
      ['/etc/passwd', /leaves the model's folder/],
      ['escape.bin', /resolves outside the model's folder/],
    ];
    for (const [loc, re] of cases)
      assert.throws(
        () => loadOnnx(modelWith(loc)),
        (e: Error) => e instanceof ReproError && re.test(e.message),
        loc,
      );
  });

  test('missing files, bad ranges and in-memory models are refused', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['nope.bin', {}, /not found/],
      ['w.bin', { offset: '20' }, /holds|outside/],
      ['w.bin', { offset: '8', length: '100' }, /outside/],
      ['w.bin', { offset: '-4', length: '16' }, /outside/],
      ['w.bin', { offset: 'abc' }, /outside/],
      ['w.bin', { length: '12' }, /holds 12 bytes/],
      ['weights', {}, /not a regular file/],
      ['', {}, /without a 'location'/],
    ];
    for (const [loc, extra, re] of cases)
      assert.throws(
        () => loadOnnx(modelWith(loc, extra)),
        (e: Error) => e instanceof ReproError && re.test(e.message),
        `${loc} ${JSON.stringify(extra)}`,
      );
    const mem = encodeProto(
      addModel({
        name: 'w',
        dataType: FLOAT,
        dims: [4],
        dataLocation: EXTERNAL,
        externalData: [{ key: 'location', value: 'w.bin' }],
      }),
    );
    assert.throws(() => decodeModel(mem), /in-memory model/);
  });
});
