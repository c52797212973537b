import type { Attrs } from '../ir/attrs.js';
import type { Dim, Graph, Node } from '../ir/graph.js';
import { f32, i64, i64vec, tensor, type DType, type Tensor } from '../ir/tensor.js';
import { constantNodeTensor } from '../ir/ops.js';
import { ReproError } from '../util/errors.js';
import type { Emitter, TrainOptions } from './types.js';

interface ShapeEntry {
  shape: number[];
  dtype: DType;
}

/**
 * The Emitter used by gradientGraph: appends nodes to `sink` (swapped while lowering one forward node),
 * keeps its own set of taken names (Graph.add rescans the whole graph per call, quadratic for big graphs)
 * and a table of static shapes.
 */
export class GraphEmitter implements Emitter {
  sink: Node[] = [];
  private taken: Set<string>;
  private shapes = new Map<string, ShapeEntry>();
  private constCache = new Map<string, string>();
  /** Outputs of Constant nodes, so rules can read e.g. a Reshape's shape however it was given. */
  private constNodes = new Map<string, Tensor>();

  constructor(
    readonly g: Graph,
    readonly options: TrainOptions,
    /** Contents of small integer values known from shape inference (e.g. Slice starts computed from Shape). */
    private readonly knownValues: ReadonlyMap<string, readonly Dim[]> = new Map(),
  ) {
    this.taken = g.valueNames();
    for (const n of g.nodes) this.taken.add(n.name);
    for (const o of g.outputs) this.taken.add(o.name);
    const put = (name: string, dtype: DType, shape: readonly (number | string)[] | undefined) => {
      if (shape?.every((d) => typeof d === 'number')) this.shapes.set(name, { shape: shape as number[], dtype });
    };
    for (const v of g.inputs) put(v.name, v.dtype, v.shape);
    for (const v of g.valueInfo.values()) put(v.name, v.dtype, v.shape);
    for (const v of g.outputs) put(v.name, v.dtype, v.shape);
    for (const [k, t] of g.initializers) put(k, t.dtype, t.dims);
    for (const n of g.nodes) {
      if (n.opType !== 'Constant' || !n.outputs[0]) continue;
      try {
        const t = constantNodeTensor(n);
        this.constNodes.set(n.outputs[0], t);
        put(n.outputs[0], t.dtype, t.dims);
      } catch {
        /* sparse/string constants never feed a gradient rule */
      }
    }
  }

  get opset(): number {
    return this.g.opset;
  }

  fresh(base: string): string {
    const clean = base.replace(/^\/+/, '');
    if (!this.taken.has(clean)) {
      this.taken.add(clean);
      return clean;
    }
    for (let i = 1; ; i++) {
      const n = `${clean}_${i}`;
      if (!this.taken.has(n)) {
        this.taken.add(n);
        return n;
      }
    }
  }

  add(op: string, inputs: string[], attrs: Attrs = {}, base?: string): string {
    return this.addMulti(op, inputs, attrs, 1, base)[0]!;
  }

  addMulti(op: string, inputs: string[], attrs: Attrs, n: number, base?: string): string[] {
    const b = base ?? `grad/${op}`;
    const outputs = Array.from({ length: n }, (_, i) => this.fresh(i === 0 ? b : `${b}_o${i}`));
    this.sink.push({ name: this.fresh(`${b}_node`), opType: op, inputs: [...inputs], outputs, attrs });
    return outputs;
  }

  const(t: Tensor, base = 'grad/const'): string {
    // Share small constants (scalars, axes, shapes): the same few appear in every rule.
    const key =
      t.data.length <= 16
        ? `${t.dtype}|${t.dims.join(',')}|${Array.from(t.data as ArrayLike<number | bigint>).join(',')}`
        : undefined;
    const hit = key && this.constCache.get(key);
    if (hit) return hit;
    const name = this.fresh(base);
    this.g.initializers.set(name, t);
    this.setShape(name, t.dims, t.dtype);
    if (key) this.constCache.set(key, name);
    return name;
  }

  scalar(v: number, dtype: DType = 'float32'): string {
    if (dtype === 'float32') return this.const(f32([], [v]));
    if (dtype === 'float64') return this.const(tensor('float64', [], Float64Array.of(v)));
    throw new ReproError(`autodiff: cannot make a ${dtype} scalar constant; gradients need float32 or float64 values`);
  }

  ints(values: readonly number[]): string {
    return this.const(i64vec(values));
  }

  shape(name: string): number[] {
    const s = this.shapes.get(name);
    if (!s)
      throw new ReproError(
        `autodiff: shape of value '${name}' is unknown; run inferShapes(g, { batch }) with a fixed batch size before gradientGraph`,
      );
    return [...s.shape];
  }

  dtype(name: string): DType {
    const s = this.shapes.get(name);
    if (!s)
      throw new ReproError(
        `autodiff: type of value '${name}' is unknown; run inferShapes(g, { batch }) before gradientGraph`,
      );
    return s.dtype;
  }

  hasShape(name: string): boolean {
    return this.shapes.has(name);
  }

  hasShapeOf(name: string): boolean {
    return this.shapes.has(name);
  }

  setShape(name: string, shape: readonly number[], dtype?: DType): void {
    const dt = dtype ?? this.shapes.get(name)?.dtype ?? 'float32';
    this.shapes.set(name, { shape: [...shape], dtype: dt });
  }

  constValue(name: string): Tensor | undefined {
    const t = this.g.initializers.get(name) ?? this.constNodes.get(name);
    if (t) return t;
    const v = this.knownValues.get(name);
    if (!v?.every((d) => typeof d === 'number')) return undefined;
    return i64(this.shapes.get(name)?.shape ?? [v.length], v as number[]);
  }

  keep(node: Node): void {
    this.sink.push(node);
  }

  readonly stateUpdates: Record<string, string> = {};
  readonly stateInputs: string[] = [];

  makeInput(name: string): void {
    const t = this.g.initializers.get(name);
    if (!t) return; // already an input
    this.g.initializers.delete(name);
    this.g.inputs.push({ name, dtype: t.dtype, shape: [...t.dims] });
    this.stateInputs.push(name);
  }

  stateUpdate(init: string, value: string): void {
    this.stateUpdates[init] = value;
  }

  output(name: string): void {
    const s = this.shapes.get(name);
    this.g.outputs.push({ name, dtype: s?.dtype ?? 'float32', shape: s ? [...s.shape] : undefined });
  }
}
