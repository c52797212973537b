/**
 * Dense row-major Float64 matrices and the cheap (O(n²)) operations on them.
 * Element (i, j) of `m` lives at `m.data[i * m.cols + j]`.
 * Functions never mutate their inputs unless the name says so (`…InPlace`).
 */
export interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A rows×cols matrix; copies `data` (any numeric array) if given, else zeros. */
export function mat(rows: number, cols: number, data?: ArrayLike<number>): Mat {
  if (data !== undefined && data.length !== rows * cols) {
    throw new Error(`mat: data has ${data.length} values, expected ${rows}x${cols}=${rows * cols}`);
  }
  const d = new Float64Array(rows * cols);
  if (data !== undefined) d.set(data);
  return { rows, cols, data: d };
}

/** Matrix from an array of equal-length rows (handy in tests). */
export function fromRows(rows: ArrayLike<number>[]): Mat {
  const r = rows.length;
  const c = r === 0 ? 0 : rows[0].length;
  const m = mat(r, c);
  for (let i = 0; i < r; i++) {
    if (rows[i].length !== c) throw new Error(`fromRows: row ${i} has ${rows[i].length} values, expected ${c}`);
    m.data.set(rows[i], i * c);
  }
  return m;
}

/** Widen Float32 weights (row-major) to a Float64 matrix. */
export function fromF32(rows: number, cols: number, data: Float32Array): Mat {
  return mat(rows, cols, data);
}

/** Narrow to Float32 (e.g. to write weights back into an ONNX initializer). */
export function toF32(m: Mat): Float32Array {
  return Float32Array.from(m.data);
}

export function zeros(rows: number, cols: number): Mat {
  return mat(rows, cols);
}

export function eye(n: number): Mat {
  const m = mat(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** Square matrix with `d` on the diagonal. */
export function diag(d: ArrayLike<number>): Mat {
  const n = d.length;
  const m = mat(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = d[i];
  return m;
}

export function clone(m: Mat): Mat {
  return { rows: m.rows, cols: m.cols, data: m.data.slice() };
}

export function get(m: Mat, i: number, j: number): number {
  return m.data[i * m.cols + j];
}

export function set(m: Mat, i: number, j: number, v: number): void {
  m.data[i * m.cols + j] = v;
}

/** Blocked transpose (blocks keep both reads and writes cache-friendly). */
export function transpose(m: Mat): Mat {
  const { rows, cols, data } = m;
  const t = new Float64Array(rows * cols);
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) {
        const ro = i * cols;
        for (let j = j0; j < j1; j++) t[j * rows + i] = data[ro + j];
      }
    }
  }
  return { rows: cols, cols: rows, data: t };
}

function sameShape(a: Mat, b: Mat, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(`${op}: shape mismatch ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  }
}

export function add(a: Mat, b: Mat): Mat {
  sameShape(a, b, 'add');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] += b.data[i];
  return out;
}

export function sub(a: Mat, b: Mat): Mat {
  sameShape(a, b, 'sub');
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] -= b.data[i];
  return out;
}

export function scale(a: Mat, s: number): Mat {
  const out = clone(a);
  for (let i = 0; i < out.data.length; i++) out.data[i] *= s;
  return out;
}

/** a + s·I (square a). */
export function addDiag(a: Mat, s: number): Mat {
  if (a.rows !== a.cols) throw new Error(`addDiag: matrix is ${a.rows}x${a.cols}, expected square`);
  const out = clone(a);
  for (let i = 0; i < a.rows; i++) out.data[i * a.cols + i] += s;
  return out;
}

export function trace(a: Mat): number {
  const n = Math.min(a.rows, a.cols);
  let s = 0;
  for (let i = 0; i < n; i++) s += a.data[i * a.cols + i];
  return s;
}

/** Frobenius norm, scaled to avoid overflow/underflow on extreme values. */
export function frobenius(a: Mat): number {
  let mx = 0;
  for (let i = 0; i < a.data.length; i++) mx = Math.max(mx, Math.abs(a.data[i]));
  if (mx === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const v = a.data[i] / mx;
    s += v * v;
  }
  return mx * Math.sqrt(s);
}

export function maxAbs(a: Mat): number {
  let mx = 0;
  for (let i = 0; i < a.data.length; i++) mx = Math.max(mx, Math.abs(a.data[i]));
  return mx;
}

export function maxAbsDiff(a: Mat, b: Mat): number {
  sameShape(a, b, 'maxAbsDiff');
  let mx = 0;
  for (let i = 0; i < a.data.length; i++) mx = Math.max(mx, Math.abs(a.data[i] - b.data[i]));
  return mx;
}

/** Rows [start, end). */
export function sliceRows(a: Mat, start: number, end: number): Mat {
  return { rows: end - start, cols: a.cols, data: a.data.slice(start * a.cols, end * a.cols) };
}

/** Columns [start, end). */
export function sliceCols(a: Mat, start: number, end: number): Mat {
  const w = end - start;
  const out = mat(a.rows, w);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols + start, i * a.cols + end), i * w);
  return out;
}

/** Sub-matrix a[rowIdx, colIdx] (any order, repeats allowed). */
export function selectRowsCols(a: Mat, rowIdx: ArrayLike<number>, colIdx: ArrayLike<number>): Mat {
  const out = mat(rowIdx.length, colIdx.length);
  for (let i = 0; i < rowIdx.length; i++) {
    const src = rowIdx[i] * a.cols;
    const dst = i * colIdx.length;
    for (let j = 0; j < colIdx.length; j++) out.data[dst + j] = a.data[src + colIdx[j]];
  }
  return out;
}

export function selectRows(a: Mat, rowIdx: ArrayLike<number>): Mat {
  const out = mat(rowIdx.length, a.cols);
  for (let i = 0; i < rowIdx.length; i++) {
    out.data.set(a.data.subarray(rowIdx[i] * a.cols, (rowIdx[i] + 1) * a.cols), i * a.cols);
  }
  return out;
}

export function selectCols(a: Mat, colIdx: ArrayLike<number>): Mat {
  const all = new Int32Array(a.rows);
  for (let i = 0; i < a.rows; i++) all[i] = i;
  return selectRowsCols(a, all, colIdx);
}

/** Row i as a copy. */
export function row(a: Mat, i: number): Float64Array {
  return a.data.slice(i * a.cols, (i + 1) * a.cols);
}

/** Column j as a copy. */
export function col(a: Mat, j: number): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = a.data[i * a.cols + j];
  return out;
}

/** Unrolled dot product of x[xo..xo+n) and y[yo..yo+n); the hot loop of Cholesky/Jacobi. */
export function dot(x: Float64Array, xo: number, y: Float64Array, yo: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    s0 += x[xo + k] * y[yo + k];
    s1 += x[xo + k + 1] * y[yo + k + 1];
    s2 += x[xo + k + 2] * y[yo + k + 2];
    s3 += x[xo + k + 3] * y[yo + k + 3];
  }
  for (; k < n; k++) s0 += x[xo + k] * y[yo + k];
  return s0 + s1 + s2 + s3;
}
