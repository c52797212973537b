/** Products split between this thread and the helper thread equal the one-thread products bit for bit. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { gemmNT } from '../../src/linalg/gemm.js';
import { gemmRows } from '../../src/linalg/gemm-kernel.js';
import { parallelReady, setLinalgThreads, setParallelMinWork } from '../../src/linalg/gemm-parallel.js';
import { randn } from '../../src/linalg/index.js';

before(() => {
  setLinalgThreads(2);
  setParallelMinWork(1); // split every product, however small
});
after(() => setParallelMinWork(undefined));

test('split products equal one-thread products exactly (shapes with edges, upper-only, A = Bt)', async (t) => {
  if (!(await parallelReady())) {
    t.skip('the helper thread did not start on this machine');
    return;
  }
  const shapes: [number, number, number, boolean][] = [
    [8, 8, 40, false],
    [37, 29, 70, false],
    [64, 64, 600, true],
    [101, 101, 33, true],
    [130, 7, 515, false],
  ];
  for (const [m, n, K, upper] of shapes) {
    const A = randn(m, K, m + n).data;
    const Bt = upper && m === n ? A : randn(n, K, K).data;
    const seedC = randn(m, n, 7).data; // gemmNT accumulates into C
    const one = seedC.slice();
    gemmRows({ A, Bt, C: one, m, n, K, upperOnly: upper }, 0, m);
    const two = seedC.slice();
    gemmNT(A, Bt, two, m, n, K, upper);
    // Upper-only products guarantee entries with j ≥ i (and whole diagonal blocks); compare what is promised.
    for (let i = 0; i < m; i++)
      for (let j = upper ? i : 0; j < n; j++)
        assert.equal(two[i * n + j], one[i * n + j], `${m}x${n}x${K}${upper ? ' upper' : ''}: C[${i}][${j}]`);
  }
});
