/** Table-driven op tests: a case = one node with inputs (fed or constant); checked against ORT. */
import type { Attrs } from '../../src/ir/attrs.js';
import { Graph, type Dim } from '../../src/ir/graph.js';
import { tensor, type DType, type Tensor } from '../../src/ir/tensor.js';
import { SeededRng } from '../../src/util/random.js';

export interface InputSpec {
  /** Declared shape; a string dim is symbolic and fed with BATCH. */
  shape: Dim[];
  dtype?: DType;
  /** Fixed contents; otherwise seeded random normal (floats) or small ints. */
  data?: number[];
  /** Make it an initializer rather than a graph input. */
  init?: boolean;
  /** Random data in (0.5, 2) — for Log/Sqrt/Div/Pow inputs. */
  positive?: boolean;
  /** Random ints in [0, intRange). */
  intRange?: number;
  /** '' = omitted optional input. */
  omit?: boolean;
}

export interface OpCase {
  name: string;
  op: string;
  inputs: InputSpec[];
  attrs?: Attrs;
  opset?: number;
  outputs?: number;
  /** Relative tolerance for reference vs ORT (default 1e-5). */
  tol?: number;
  /** Outputs whose values are not compared (e.g. MaxPool indices ties). */
  skipValues?: number[];
}

export const BATCH = 3;

function concreteDims(shape: Dim[]): number[] {
  return shape.map((d) => (typeof d === 'number' ? d : BATCH));
}

export function makeData(spec: InputSpec, rng: SeededRng): Tensor {
  const dims = concreteDims(spec.shape);
  const dtype = spec.dtype ?? 'float32';
  const t = tensor(dtype, dims);
  const n = t.data.length;
  for (let i = 0; i < n; i++) {
    let v: number;
    if (spec.data) v = spec.data[i]!;
    else if (dtype === 'bool') v = rng.next() < 0.5 ? 1 : 0;
    else if (dtype !== 'float32' && dtype !== 'float64') v = Math.floor(rng.next() * (spec.intRange ?? 5));
    else if (spec.positive) v = 0.5 + 1.5 * rng.next();
    else v = rng.normal();
    if (t.data instanceof BigInt64Array) t.data[i] = BigInt(v);
    else (t.data as Float32Array)[i] = v;
  }
  return t;
}

/** Build the one-node graph of a case plus its feeds. */
export function caseGraph(c: OpCase, seed = 1): { g: Graph; feeds: Record<string, Tensor>; outs: string[] } {
  const g = new Graph();
  g.opset = c.opset ?? 17;
  const rng = new SeededRng(seed);
  const feeds: Record<string, Tensor> = {};
  const names = c.inputs.map((s, i) => {
    if (s.omit) return '';
    const name = `in${i}`;
    const t = makeData(s, rng);
    if (s.init) g.initializers.set(name, t);
    else {
      g.inputs.push({ name, dtype: t.dtype, shape: [...s.shape] });
      feeds[name] = t;
    }
    return name;
  });
  const outs = g.add(c.op, names, c.attrs ?? {}, { name: 'node', outputs: c.outputs ?? 1 });
  g.outputs = outs.map((o) => ({ name: o, dtype: 'float32' }));
  return { g, feeds, outs };
}
