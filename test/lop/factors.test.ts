/**
 * The fast LOP factor kernels against their float64 references on small cases: Cholesky QR against Householder QR
 * (equal up to column signs), and the batched middle weights against the per-tap pseudo-inverse formula
 * M_tap = E3⁺·W_tap·E1⁺ with E⁺ from explicit inverses (what lop-expand computed before).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mat, matmul, matmulNT, matmulTN, qr, spdInverse, transpose, type Mat } from '../../src/linalg/index.js';
import {
  denseFactor,
  expansionFactors,
  middleWeights,
  orthonormalColumns,
  type ExpansionFactors,
} from '../../src/passes/lop/factors.js';
import { SeededRng } from '../../src/util/random.js';

function gaussian(rows: number, cols: number, rng: SeededRng): Mat {
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

/** E1 [r·in, in] and E3 [out, r·out] as dense float64 matrices. */
function denseFactors(f: ExpansionFactors): { e1: Mat; e3: Mat } {
  return { e1: denseFactor(f.first), e3: transpose(denseFactor(f.lastT)) };
}

function maxAbsDiffAbs(a: Mat, b: Mat): number {
  let d = 0;
  for (let i = 0; i < a.data.length; i++) d = Math.max(d, Math.abs(Math.abs(a.data[i]!) - Math.abs(b.data[i]!)));
  return d;
}

test('Cholesky QR gives Householder Q up to column signs, orthonormal to rounding (tall, square)', () => {
  const rng = new SeededRng(5);
  for (const [m, n] of [
    [40, 10],
    [30, 30],
    [97, 24],
    [5, 1],
  ] as Array<[number, number]>) {
    const g = gaussian(m, n, rng);
    const q = orthonormalColumns(g);
    const ref = qr(g).q;
    // QᵀQ_ref = diag(±1): compare |QᵀQ_ref| with I.
    const cross = matmulTN(q, ref);
    const eye = mat(n, n);
    for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
    assert.ok(maxAbsDiffAbs(cross, eye) < 1e-10, `${m}x${n}: |QᵀQ_householder| ≠ I`);
    assert.ok(maxAbsDiffAbs(matmulTN(q, q), eye) < 1e-12, `${m}x${n}: QᵀQ ≠ I`);
  }
});

test('batched middle weights (JS and ORT) equal the per-tap pseudo-inverse formula and restore W exactly', async () => {
  const rng = new SeededRng(9);
  for (const [cin, cout, taps, rate] of [
    [5, 7, 9, 4],
    [6, 3, 1, 3],
    [4, 4, 4, 1.5],
  ] as Array<[number, number, number, number]>) {
    const f = await expansionFactors(cin, cout, rate, rng);
    const w = Float32Array.from({ length: cout * cin * taps }, () => rng.normal());
    const fast = await middleWeights(f, w, taps, { backend: taps === 9 ? 'ort' : 'js' });
    const { e1, e3 } = denseFactors(f);
    const e1Pinv = matmulNT(spdInverse(matmulTN(e1, e1)), e1);
    const e3Pinv = matmul(transpose(e3), spdInverse(matmulNT(e3, e3)));
    const midOut = e3.cols,
      midIn = e1.rows;
    let err = 0;
    let restoreErr = 0;
    for (let t = 0; t < taps; t++) {
      const wTap = mat(cout, cin);
      for (let o = 0; o < cout; o++)
        for (let i = 0; i < cin; i++) wTap.data[o * cin + i] = w[(o * cin + i) * taps + t]!;
      const ref = matmul(matmul(e3Pinv, wTap), e1Pinv);
      const mTap = mat(midOut, midIn);
      for (let o = 0; o < midOut; o++)
        for (let i = 0; i < midIn; i++) {
          mTap.data[o * midIn + i] = fast[(o * midIn + i) * taps + t]!;
          err = Math.max(err, Math.abs(fast[(o * midIn + i) * taps + t]! - ref.data[o * midIn + i]!));
        }
      const back = matmul(matmul(e3, mTap), e1);
      for (let k = 0; k < back.data.length; k++)
        restoreErr = Math.max(restoreErr, Math.abs(back.data[k]! - wTap.data[k]!));
    }
    assert.ok(err < 1e-5, `${cin}x${cout}x${taps}: |fast − reference| = ${err}`);
    assert.ok(restoreErr < 1e-5, `${cin}x${cout}x${taps}: |E3·M·E1 − W| = ${restoreErr}`);
  }
});

test('wide factors (block-structured, permuted) are exactly semi-orthogonal and mix every column', async () => {
  const { semiOrthogonal, factorBlockWidth } = await import('../../src/passes/lop/factors.js');
  const rng = new SeededRng(13);
  for (const [m, n] of [
    [2 * 700, 700],
    [Math.ceil(1.5 * 600), 600],
    [513, 513],
  ] as Array<[number, number]>) {
    const width = factorBlockWidth(m, n);
    assert.ok(n > width);
    const e = await semiOrthogonal(m, n, rng);
    const gram = matmulTN(e, e);
    const eye = mat(n, n);
    for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
    // Blocks at least twice as tall as wide are orthonormalized in float32 (ORT), squarer ones in float64.
    const tol = m >= 2 * n ? 1e-6 : 1e-12;
    assert.ok(maxAbsDiffAbs(gram, eye) < tol, `${m}x${n}: EᵀE ≠ I`);
    // Each column has a block's worth of nonzeros (about width·m/n), not one (not a permutation) and not all.
    for (let j = 0; j < n; j += 97) {
      let nz = 0;
      for (let i = 0; i < m; i++) if (e.data[i * n + j] !== 0) nz++;
      assert.ok(nz > (0.75 * width * m) / n && nz < m, `${m}x${n}: column ${j} has ${nz} nonzeros`);
    }
  }
});

test('block-structured middle weights equal the dense product E3ᵀ·W·E1ᵀ of the whole factors (JS and ORT)', async () => {
  const rng = new SeededRng(21);
  for (const [cin, cout, taps, rate, backend, chunkFloats] of [
    [300, 270, 9, 2, 'ort', undefined],
    [260, 520, 1, 1.5, 'js', undefined],
    [300, 40, 4, 3, 'js', 5000], // rows in chunks of a few
  ] as Array<[number, number, number, number, 'js' | 'ort', number | undefined]>) {
    const f = await expansionFactors(cin, cout, rate, rng);
    assert.ok(f.first.blocks.length > 1, 'E1 is block-structured');
    const w = Float32Array.from({ length: cout * cin * taps }, () => rng.normal());
    const fast = await middleWeights(f, w, taps, { backend, chunkFloats });
    const { e1, e3 } = denseFactors(f);
    const [midOut, midIn] = [e3.cols, e1.rows];
    let err = 0;
    for (let t = 0; t < taps; t++) {
      const wTap = mat(cout, cin);
      for (let o = 0; o < cout; o++)
        for (let i = 0; i < cin; i++) wTap.data[o * cin + i] = w[(o * cin + i) * taps + t]!;
      const ref = matmulNT(matmul(transpose(e3), wTap), e1); // E3ᵀ·W·E1ᵀ
      for (let o = 0; o < midOut; o++)
        for (let i = 0; i < midIn; i++)
          err = Math.max(err, Math.abs(fast[(o * midIn + i) * taps + t]! - ref.data[o * midIn + i]!));
    }
    assert.ok(err < 1e-5, `${cin}x${cout}x${taps} (${backend}): |blocked − dense| = ${err}`);
  }
});
