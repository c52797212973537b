import { attrFloat, attrInt, attrString } from '../../attrs.js';
import { broadcastDims, broadcastMap, size, stridesOf } from '../../fold/indexing.js';
import { ref, req, type RefKernel } from '../tensor.js';

const gemm: RefKernel = (c) => {
  const a = req(c, 0),
    b = req(c, 1),
    cc = c.inputs[2];
  const ta = attrInt(c.node.attrs, 'transA', 0) === 1,
    tb = attrInt(c.node.attrs, 'transB', 0) === 1;
  const alpha = attrFloat(c.node.attrs, 'alpha', 1),
    beta = attrFloat(c.node.attrs, 'beta', 1);
  const M = ta ? a.dims[1]! : a.dims[0]!,
    K = ta ? a.dims[0]! : a.dims[1]!,
    N = tb ? b.dims[0]! : b.dims[1]!;
  const out = ref(a.dtype, [M, N]);
  const cmap = cc ? broadcastMap([M, N], cc.dims) : undefined;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += a.data[ta ? k * M + i : i * K + k]! * b.data[tb ? j * K + k : k * N + j]!;
      out.data[i * N + j] = alpha * acc + (cc ? beta * cc.data[cmap![i * N + j]!]! : 0);
    }
  return [out];
};

/** numpy matmul with 1-D promotion and batch broadcasting. */
const matmul: RefKernel = (c) => {
  const a = req(c, 0),
    b = req(c, 1);
  const ad = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
  const M = ad[ad.length - 2]!,
    K = ad[ad.length - 1]!,
    N = bd[bd.length - 1]!;
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
  const ma = broadcastMap(batch, ad.slice(0, -2)),
    mb = broadcastMap(batch, bd.slice(0, -2));
  const dims = [...batch];
  if (a.dims.length !== 1) dims.push(M);
  if (b.dims.length !== 1) dims.push(N);
  const out = ref(a.dtype, dims);
  for (let t = 0; t < size(batch); t++) {
    const ao = ma[t]! * M * K,
      bo = mb[t]! * K * N,
      oo = t * M * N;
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += a.data[ao + i * K + k]! * b.data[bo + k * N + j]!;
        out.data[oo + i * N + j] = acc;
      }
  }
  return [out];
};

/** Einsum by brute force over every letter assignment (fine for test-sized operands). */
const einsum: RefKernel = (c) => {
  const eq = attrString(c.node.attrs, 'equation', '').replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const ins = terms.map((_, i) => req(c, i));
  const sizeOf = new Map<string, number>();
  const count = new Map<string, number>();
  terms.forEach((t, i) => {
    [...t].forEach((ch, k) => {
      sizeOf.set(ch, Math.max(sizeOf.get(ch) ?? 1, ins[i]!.dims[k]!));
      count.set(ch, (count.get(ch) ?? 0) + 1);
    });
  });
  const outL =
    rhs ??
    [...count.keys()]
      .filter((ch) => count.get(ch) === 1)
      .sort()
      .join('');
  const letters = [...sizeOf.keys()];
  const dims = letters.map((l) => sizeOf.get(l)!);
  const outDims = [...outL].map((l) => sizeOf.get(l)!);
  const out = ref(ins[0]!.dtype, outDims);
  const outStr = stridesOf(outDims);
  const inStr = ins.map((t) => stridesOf(t.dims));
  const idx = new Array<number>(letters.length).fill(0);
  const pos = (l: string) => idx[letters.indexOf(l)]!;
  for (let it = 0; it < size(dims); it++) {
    let r = it;
    for (let k = letters.length - 1; k >= 0; k--) {
      idx[k] = r % dims[k]!;
      r = Math.floor(r / dims[k]!);
    }
    let prod = 1;
    terms.forEach((t, i) => {
      let off = 0;
      [...t].forEach((l, k) => {
        off += (ins[i]!.dims[k] === 1 ? 0 : pos(l)) * inStr[i]![k]!;
      });
      prod *= ins[i]!.data[off]!;
    });
    let o = 0;
    [...outL].forEach((l, k) => {
      o += pos(l) * outStr[k]!;
    });
    out.data[o]! += prod;
  }
  return [out];
};

export const linearKernels: Record<string, RefKernel> = { Gemm: gemm, MatMul: matmul, Einsum: einsum };
