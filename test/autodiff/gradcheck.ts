/**
 * Numerical gradient check shared by the autodiff tests: L = Σ y ⊙ r for a fixed random r; compare the directional
 * derivative ⟨∇L, v⟩ from the emitted ORT graph with central differences (L(θ+εv) − L(θ−εv))/2ε, sums in float64.
 * The loss is evaluated on the training graph itself (keepOutputs y), so training-mode semantics (BatchNorm batch
 * statistics) are what both sides see.
 */
import { A, type Attrs } from '../../src/ir/attrs.js';
import { Graph } from '../../src/ir/graph.js';
import { f32, i64vec, numel, type Tensor } from '../../src/ir/tensor.js';
import { evaluateReference } from '../../src/ir/reference/index.js';
import { compile } from '../../src/runtime/session.js';
import type { SeededRng } from '../../src/util/random.js';
import { gradientGraph } from '../../src/autodiff/index.js';

/** A float input: a shape (random normal), or a spec. `const` inputs stay initializers and get no gradient. */
export type InSpec = number[] | { shape?: number[]; value?: Tensor; const?: boolean; range?: [number, number] };

export interface OpCase {
  name: string;
  op: string;
  inputs: InSpec[];
  attrs?: Attrs;
  opset?: number;
  eps?: number;
  rtol?: number;
  /** Number of outputs of the node (default 1). */
  outputs?: number;
  /** Outputs that feed the loss (default all): flattened and concatenated into `y`. */
  lossOutputs?: number[];
  /** Skip the forward-value comparison with the reference kernel (training-mode ops such as BatchNorm). */
  noValueCheck?: boolean;
}

/** Record dtype and dims of every value by running the graph once (stand-in for shape inference). */
export async function annotateShapes(g: Graph, feeds: Record<string, Tensor> = {}): Promise<void> {
  const probe = g.clone(true);
  const names = probe.nodes.flatMap((n) => n.outputs).filter((o) => o);
  probe.outputs = names.map((name) => ({ name, dtype: 'float32' as const }));
  const res = await (await compile(probe)).run(feeds);
  for (const [name, t] of Object.entries(res)) g.valueInfo.set(name, { name, dtype: t.dtype, shape: [...t.dims] });
  for (const o of g.outputs) {
    const t = res[o.name];
    if (t) o.shape = [...t.dims];
  }
}

function randomTensor(rng: SeededRng, shape: number[], range?: [number, number]): Tensor {
  const d = new Float32Array(numel(shape));
  for (let i = 0; i < d.length; i++) d[i] = range ? rng.uniform(range[0], range[1]) : rng.normal();
  return f32(shape, d);
}

/** Build `op(inputs) → y`, loss Σ y·r; returns the graph, loss name and the names of differentiable inputs. */
export async function buildOpGraph(c: OpCase, rng: SeededRng): Promise<{ g: Graph; wrt: string[] }> {
  const g = new Graph();
  g.opset = c.opset ?? 17;
  const wrt: string[] = [];
  const names = c.inputs.map((spec, i) => {
    if (Array.isArray(spec)) spec = { shape: spec };
    if (spec.value === undefined && spec.shape === undefined) return '';
    const t = spec.value ?? randomTensor(rng, spec.shape!, spec.range);
    const name = g.addInitializer(`in${i}`, t, true);
    if (!spec.const && t.dtype === 'float32') wrt.push(name);
    return name;
  });
  const nOut = c.outputs ?? 1;
  if (nOut === 1 && !c.lossOutputs) g.add(c.op, names, c.attrs ?? {}, { name: 'op', outputs: ['y'] });
  else {
    // Several outputs: the loss sees the chosen ones, flattened and concatenated.
    const outs = g.add(c.op, names, c.attrs ?? {}, { name: 'op', outputs: nOut });
    const flat = (c.lossOutputs ?? outs.map((_, i) => i)).map(
      (k) => g.add('Reshape', [outs[k]!, g.addInitializer('flat', i64vec([-1]))])[0]!,
    );
    g.add('Concat', flat, { axis: A.int(0) }, { outputs: ['y'] });
  }
  g.outputs = [{ name: 'y', dtype: 'float32' }];
  await annotateShapes(g);
  const ys = g.valueInfo.get('y')!.shape as number[];
  const r = g.addInitializer('r', randomTensor(rng, ys), true);
  const [prod] = g.add('Mul', ['y', r], {}, { outputs: ['yr'] });
  g.add('ReduceSum', [prod!], { keepdims: A.int(0) }, { outputs: ['loss'] });
  await annotateShapes(g);
  return { g, wrt };
}

export interface CheckResult {
  param?: string;
  analytic: number;
  numeric: number;
  err: number;
  tol: number;
}

/**
 * Directional check along `directions` random v. The forward value y must be a graph output named `y`
 * and the loss `loss` (= Σ y·r with r an initializer `r`).
 */
export async function directionalCheck(
  g: Graph,
  wrt: string[],
  rng: SeededRng,
  opts: {
    eps?: number;
    rtol?: number;
    directions?: number;
    frozenBatchNorm?: boolean;
    mode?: 'random' | 'gradient';
    maxGroups?: number;
  } = {},
): Promise<CheckResult[]> {
  const eps = opts.eps ?? 1e-3;
  const rtol = opts.rtol ?? 5e-3;
  const r = g.initializers.get('r')!.data as Float32Array;
  const tg = gradientGraph(g, { loss: 'loss', wrt, keepOutputs: ['y'], frozenBatchNorm: opts.frozenBatchNorm });
  const runner = await compile(tg.graph);
  const theta: Record<string, Tensor> = {};
  for (const p of wrt) theta[p] = g.initializers.get(p)!;
  for (const s of tg.stateInputs) theta[s] = g.initializers.get(s)!;
  const base = await runner.run(theta);
  const lossAt = async (feeds: Record<string, Tensor>) => {
    const y = (await runner.run(feeds, ['y'])).y!.data as Float32Array;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * r[i]!;
    return s;
  };
  const out: CheckResult[] = [];
  // 'random': all parameters at once along v ~ N(0, I). 'gradient': one parameter tensor at a time along a
  // unit direction close to its gradient (g ⊙ (1 + u/2), u ~ U(−1, 1)): a large signal for a small step, so
  // ReLU kinks and max-pool ties are rarely crossed in deep nets, while a wrong gradient component still shows.
  // In gradient mode at most `maxGroups` checks: parameters are dealt round-robin into groups (each tensor's own
  // direction has unit norm, so no tensor drowns in another's signal).
  const nGroups = Math.min(wrt.length, opts.maxGroups ?? 8);
  const groups =
    opts.mode === 'gradient'
      ? Array.from({ length: nGroups }, (_, k) => wrt.filter((_, i) => i % nGroups === k))
      : Array.from({ length: opts.directions ?? 2 }, () => wrt);
  for (const group of groups) {
    const plus: Record<string, Tensor> = { ...theta };
    const minus: Record<string, Tensor> = { ...theta };
    let analytic = 0;
    let magnitude = 0;
    for (const p of group) {
      const t = theta[p]!.data as Float32Array;
      const gr = base[tg.grads[p]!]!.data as Float32Array;
      const dir = new Float64Array(t.length);
      if (opts.mode === 'gradient') {
        let nrm = 0;
        for (let i = 0; i < t.length; i++) {
          dir[i] = gr[i]! * (1 + rng.uniform(-0.5, 0.5));
          nrm += dir[i]! ** 2;
        }
        nrm = Math.sqrt(nrm) || 1;
        for (let i = 0; i < t.length; i++) dir[i] = dir[i]! / nrm;
      } else for (let i = 0; i < t.length; i++) dir[i] = rng.normal();
      const a = new Float32Array(t.length);
      const b = new Float32Array(t.length);
      for (let i = 0; i < t.length; i++) {
        a[i] = t[i]! + eps * dir[i]!;
        b[i] = t[i]! - eps * dir[i]!;
        // The perturbation actually applied after float32 rounding, so the comparison is exact to first order.
        const vv = (a[i]! - b[i]!) / (2 * eps);
        analytic += gr[i]! * vv;
        magnitude += Math.abs(gr[i]! * vv);
      }
      plus[p] = f32(theta[p]!.dims, a);
      minus[p] = f32(theta[p]!.dims, b);
    }
    const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * eps);
    const err = Math.abs(numeric - analytic);
    out.push({
      param: group.join(','),
      analytic,
      numeric,
      err,
      tol: rtol * Math.max(Math.abs(analytic), Math.abs(numeric), 0.05 * magnitude) + 1e-4,
    });
  }
  return out;
}

/**
 * The forward value `y` that the training graph computes (ORT, float32) against the float64 reference evaluator on
 * the original graph: max |Δ| ≤ rtol·max|y| + 1e-5. Returns the worst error.
 */
export async function forwardValueCheck(g: Graph, wrt: string[], rtol = 1e-4): Promise<{ err: number; tol: number }> {
  const tg = gradientGraph(g, { loss: 'loss', wrt, keepOutputs: ['y'] });
  const feeds: Record<string, Tensor> = {};
  for (const p of [...wrt, ...tg.stateInputs]) feeds[p] = g.initializers.get(p)!;
  const got = (await (await compile(tg.graph)).run(feeds, ['y'])).y!;
  const want = evaluateReference(g, {}).y!;
  if (got.data.length !== want.data.length) return { err: Infinity, tol: 0 };
  let err = 0;
  let scale = 0;
  for (let i = 0; i < want.data.length; i++) {
    err = Math.max(err, Math.abs(Number(got.data[i]) - want.data[i]!));
    scale = Math.max(scale, Math.abs(want.data[i]!));
  }
  return { err, tol: rtol * scale + 1e-5 };
}
