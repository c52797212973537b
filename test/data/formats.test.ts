import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { readIdx, writeIdx, encodeIdx, type IdxData } from '../../src/data/idx.js';
import { readNpy, writeNpy, encodeNpy, parseNpy, type NpyData } from '../../src/data/npy.js';
import { tempDir, throwsNaming } from './helpers.js';

const dir = tempDir();

describe('IDX', () => {
  const cases: [string, IdxData, number[]][] = [
    ['u8', Uint8Array.from([0, 1, 128, 255, 7, 9]), [2, 3]],
    ['i8', Int8Array.from([-128, -1, 0, 127]), [4]],
    ['i16', Int16Array.from([-32768, 5, 32767, 0]), [2, 2]],
    ['i32', Int32Array.from([-(2 ** 31), 1, 2 ** 31 - 1, 42, 0, -7]), [1, 2, 3]],
    ['f32', Float32Array.from([0.5, -1.25, 3e38, -0]), [4]],
    ['f64', Float64Array.from([Math.PI, -1e300]), [2]],
  ];
  for (const [type, data, dims] of cases) {
    for (const ext of ['', '.gz']) {
      test(`round trip ${type}${ext}`, () => {
        const file = path.join(dir, `rt-${type}.idx${ext}`);
        writeIdx(file, data, dims);
        const back = readIdx(file);
        assert.equal(back.type, type);
        assert.deepEqual(back.dims, dims);
        assert.deepEqual(Array.from(back.data), Array.from(data));
      });
    }
  }

  test('magic 0x00000803 header layout is big-endian', () => {
    const bytes = encodeIdx(new Uint8Array(2 * 3 * 4), [2, 3, 4]);
    assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0, 0, 8, 3, 0, 0, 0, 2]);
  });

  test('wrong magic', () => {
    const file = path.join(dir, 'bad-magic-idx');
    writeFileSync(file, Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 1, 9]));
    throwsNaming(() => readIdx(file), file, /wrong magic/);
  });

  test('truncated payload', () => {
    const file = path.join(dir, 'trunc-idx');
    writeFileSync(file, encodeIdx(new Uint8Array(100), [4, 5, 5]).subarray(0, 60));
    throwsNaming(() => readIdx(file), file, /truncated/);
  });

  test('truncated header', () => {
    const file = path.join(dir, 'trunc-hdr-idx');
    writeFileSync(file, Uint8Array.from([0, 0, 8, 3, 0, 0]));
    throwsNaming(() => readIdx(file), file, /truncated IDX header/);
  });

  test('extra bytes after payload', () => {
    const file = path.join(dir, 'extra-idx');
    const ok = encodeIdx(new Uint8Array(6), [6]);
    writeFileSync(file, Buffer.concat([ok, Buffer.from([1, 2])]));
    throwsNaming(() => readIdx(file), file, /extra bytes/);
  });

  test('absurd dims fail without allocating', () => {
    const file = path.join(dir, 'huge-idx');
    const bytes = Uint8Array.from([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 1, 2, 3]);
    writeFileSync(file, bytes);
    throwsNaming(() => readIdx(file), file, /need more data than the file holds/);
  });

  test('corrupt gzip', () => {
    const file = path.join(dir, 'corrupt-idx.gz');
    const gz = gzipSync(encodeIdx(new Uint8Array(1000), [10, 100]));
    writeFileSync(file, gz.subarray(0, gz.length - 30));
    throwsNaming(() => readIdx(file), file, /corrupt or truncated gzip/);
  });

  test('missing file', () => {
    const file = path.join(dir, 'nope-idx');
    throwsNaming(() => readIdx(file), file, /no such file/);
  });
});

/** Rewrite a v1 .npy as format version 2 or 3 (uint32 header length). */
function asVersion(v1: Uint8Array, major: number): Uint8Array {
  const hlen = new DataView(v1.buffer, v1.byteOffset).getUint16(8, true);
  const header = v1.subarray(10, 10 + hlen);
  const out = new Uint8Array(12 + hlen + (v1.length - 10 - hlen));
  out.set(v1.subarray(0, 6));
  out[6] = major;
  new DataView(out.buffer).setUint32(8, hlen, true);
  out.set(header, 12);
  out.set(v1.subarray(10 + hlen), 12 + hlen);
  return out;
}

describe('NPY', () => {
  const cases: [string, NpyData, number[]][] = [
    ['f4', Float32Array.from([0.1, -2, 3.5, 1e-30, 7, 8]), [2, 3]],
    ['f8', Float64Array.from([Math.E, -1]), [2]],
    ['u1', Uint8Array.from([0, 255, 3]), [3]],
    ['i1', Int8Array.from([-5, 5]), [2, 1]],
    ['i4', Int32Array.from([1, -2, 3, 4]), [4]],
    ['i8', BigInt64Array.from([1n, -2n, 9007199254740993n]), [3]],
  ];
  for (const [dtype, data, shape] of cases) {
    test(`round trip ${dtype}`, () => {
      const file = path.join(dir, `rt-${dtype}.npy`);
      writeNpy(file, data, shape);
      const back = readNpy(file);
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.shape, shape);
      assert.deepEqual(Array.from(back.data as ArrayLike<unknown>), Array.from(data as ArrayLike<unknown>));
      assert.equal((readFileSync(file).length - data.byteLength) % 64, 0, 'data starts on a 64-byte boundary');
    });
  }

  test('versions 2 and 3 and gzip', () => {
    const v1 = encodeNpy(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    for (const major of [2, 3]) {
      const a = parseNpy(asVersion(v1, major), `v${major}.npy`);
      assert.deepEqual(a.shape, [2, 2]);
      assert.deepEqual(Array.from(a.data as Float32Array), [1, 2, 3, 4]);
    }
    const gz = path.join(dir, 'gz.npy.gz');
    writeNpy(gz, Uint8Array.from([9, 8]), [2]);
    assert.deepEqual(Array.from(readNpy(gz).data as Uint8Array), [9, 8]);
  });

  function headerFile(name: string, header: string, payload: Uint8Array): string {
    const file = path.join(dir, name);
    const h = new TextEncoder().encode(`${header.padEnd(118, ' ')}\n`);
    const out = new Uint8Array(10 + h.length + payload.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(out.buffer).setUint16(8, h.length, true);
    out.set(h, 10);
    out.set(payload, 10 + h.length);
    writeFileSync(file, out);
    return file;
  }

  test('fortran order is refused clearly', () => {
    const file = headerFile(
      'fortran.npy',
      "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
      new Uint8Array(16),
    );
    throwsNaming(() => readNpy(file), file, /fortran_order=True is not supported/);
  });

  test('unsupported dtype', () => {
    const file = headerFile(
      'c16.npy',
      "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
      new Uint8Array(16),
    );
    throwsNaming(() => readNpy(file), file, /unsupported dtype '<c16'/);
  });

  test('big-endian dtype', () => {
    const file = headerFile('be.npy', "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    throwsNaming(() => readNpy(file), file, /big-endian/);
  });

  test('wrong magic', () => {
    const file = path.join(dir, 'magic.npy');
    writeFileSync(file, Buffer.from('PK\x03\x04 not a npy file at all'));
    throwsNaming(() => readNpy(file), file, /wrong magic/);
  });

  test('truncated payload', () => {
    const file = path.join(dir, 'trunc.npy');
    const full = encodeNpy(new Float32Array(50), [5, 10]);
    writeFileSync(file, full.subarray(0, full.length - 3));
    throwsNaming(() => readNpy(file), file, /truncated/);
  });

  test('truncated header', () => {
    const file = path.join(dir, 'trunc-hdr.npy');
    writeFileSync(file, encodeNpy(new Float32Array(1), [1]).subarray(0, 40));
    throwsNaming(() => readNpy(file), file, /truncated .npy header/);
  });

  test('absurd shape fails without allocating', () => {
    const file = headerFile(
      'huge.npy',
      "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000000, 100000000000, 3), }",
      new Uint8Array(8),
    );
    throwsNaming(() => readNpy(file), file, /needs more data than the file holds/);
  });

  test('malformed header', () => {
    const file = headerFile('malformed.npy', "{'descr': [('a', '<f4')], 'shape': (1,), }", new Uint8Array(4));
    throwsNaming(() => readNpy(file), file, /malformed .npy header/);
  });
});
