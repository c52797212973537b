/**
 * Index arithmetic on row-major tensors, shared by constant folding (exact, any dtype) and the reference evaluator.
 * Maps are "for each output element, the flat index of the input element", built once per call; the tensors we fold
 * or check are small.
 */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

export function size(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Numpy broadcast of several shapes (throws on mismatch). */
export function broadcastDims(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k] ?? 1;
      if (e === 1) continue;
      if (d !== 1 && d !== e)
        throw new Error(`cannot broadcast ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')}`);
      d = e;
    }
    out.push(d);
  }
  return out;
}

/** For each element of `outDims`, the flat index of the broadcast source element of `inDims`. */
export function broadcastMap(outDims: readonly number[], inDims: readonly number[]): Int32Array {
  const n = size(outDims);
  const map = new Int32Array(n);
  const r = outDims.length;
  const inStr = stridesOf(inDims);
  // Effective input stride per output axis (0 where broadcast).
  const eff = outDims.map((_, k) => {
    const j = k - (r - inDims.length);
    return j < 0 || inDims[j] === 1 ? 0 : inStr[j]!;
  });
  const idx = new Array<number>(r).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    map[i] = src;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      src += eff[k]!;
      if (idx[k]! < outDims[k]!) break;
      src -= eff[k]! * idx[k]!;
      idx[k] = 0;
    }
  }
  return map;
}

/** Map for Transpose: output element i reads input element map[i]. */
export function transposeMap(inDims: readonly number[], perm: readonly number[]): { dims: number[]; map: Int32Array } {
  const dims = perm.map((p) => inDims[p]!);
  const inStr = stridesOf(inDims);
  const permuted = perm.map((p) => inStr[p]!);
  return { dims, map: stridedMap(dims, permuted, 0) };
}

/** Generic strided gather: output element (i0..ik) reads base + Σ i_k * strides[k]. */
export function stridedMap(outDims: readonly number[], strides: readonly number[], base: number): Int32Array {
  const n = size(outDims);
  const map = new Int32Array(n);
  const r = outDims.length;
  const idx = new Array<number>(r).fill(0);
  let src = base;
  for (let i = 0; i < n; i++) {
    map[i] = src;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      src += strides[k]!;
      if (idx[k]! < outDims[k]!) break;
      src -= strides[k]! * idx[k]!;
      idx[k] = 0;
    }
  }
  return map;
}

/** Slice as a strided map; `ranges[a]` = normalized {start, count, step} per axis. */
export function sliceMap(
  inDims: readonly number[],
  ranges: { start: number; count: number; step: number }[],
): { dims: number[]; map: Int32Array } {
  const inStr = stridesOf(inDims);
  const dims = ranges.map((r) => r.count);
  let base = 0;
  ranges.forEach((r, a) => {
    base += r.start * inStr[a]!;
  });
  return {
    dims,
    map: stridedMap(
      dims,
      ranges.map((r, a) => r.step * inStr[a]!),
      base,
    ),
  };
}

/** Gather along `axis` with (already non-negative) flat indices of shape `idxDims`. */
export function gatherMap(
  inDims: readonly number[],
  axis: number,
  indices: readonly number[],
  idxDims: readonly number[],
): { dims: number[]; map: Int32Array } {
  const outer = size(inDims.slice(0, axis));
  const inner = size(inDims.slice(axis + 1));
  const dims = [...inDims.slice(0, axis), ...idxDims, ...inDims.slice(axis + 1)];
  const map = new Int32Array(outer * indices.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const ix of indices) {
      const base = (a * inDims[axis]! + ix) * inner;
      for (let b = 0; b < inner; b++) map[o++] = base + b;
    }
  }
  return { dims, map };
}

/** Concat along `axis`: returns, per output element, [input number, flat index in it]. */
export function concatMap(
  shapes: (readonly number[])[],
  axis: number,
): { dims: number[]; which: Int32Array; map: Int32Array } {
  const dims = [...shapes[0]!];
  dims[axis] = shapes.reduce((s, d) => s + d[axis]!, 0);
  const outer = size(dims.slice(0, axis));
  const n = size(dims);
  const which = new Int32Array(n),
    map = new Int32Array(n);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    shapes.forEach((s, t) => {
      const block = size(s.slice(axis));
      for (let b = 0; b < block; b++) {
        which[o] = t;
        map[o++] = a * block + b;
      }
    });
  }
  return { dims, which, map };
}
