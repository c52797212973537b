/**
 * Timing of the linalg kernels that bound REAP/TEDEPR run time. Not a test (no wall-clock assertions).
 * Run: node --import tsx src/linalg/bench.ts
 */
import {
  matmul,
  gram,
  spdInverse,
  gramRidge,
  svd,
  randn,
  matmulNT,
  eye,
  maxAbsDiff,
  transpose,
} from '../linalg/index.js';

function time<T>(label: string, f: () => T): T {
  const t = performance.now();
  const r = f();
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  return r;
}

const n = 1024;
const a = randn(n, n, 1),
  b = randn(n, n, 2);
matmul(randn(64, 64, 3), randn(64, 64, 4)); // warm up the JIT
const t0 = performance.now();
matmul(a, b);
const dt = (performance.now() - t0) / 1000;
console.log(`matmul ${n}x${n}: ${dt.toFixed(2)} s = ${((2 * n ** 3) / dt / 1e9).toFixed(2)} GFLOP/s`);

for (const m of [256, 512]) {
  const x = randn(m, m, m);
  const r = time(`svd ${m}x${m}`, () => svd(x));
  console.log(`  max|VᵀV − I| = ${maxAbsDiff(matmul(transpose(r.v), r.v), eye(m)).toExponential(1)}`);
}

const N = 2048;
const behaviours = randn(N + 256, N, 5);
const g = gramRidge(
  time(`gram (${N + 256})x${N}`, () => gram(behaviours)),
  1e-6,
);
const h = time(`spdInverse ${N}x${N}`, () => spdInverse(g));
console.log(
  `  max|H·G − I| (first 64 rows) = ${maxAbsDiff(matmulNT(firstRows(h, 64), g), rowsOfEye(64, N)).toExponential(1)}`,
);

function firstRows(m: typeof h, k: number) {
  return { rows: k, cols: m.cols, data: m.data.slice(0, k * m.cols) };
}
function rowsOfEye(k: number, nn: number) {
  const e = { rows: k, cols: nn, data: new Float64Array(k * nn) };
  for (let i = 0; i < k; i++) e.data[i * nn + i] = 1;
  return e;
}
