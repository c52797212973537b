/**
 * Binding symbolic input dims to sizes: `--input-shape 1,3,224,224`, or the sample shape of the data a command
 * streams. Exports with dynamic H/W (`[N, 3, H, W]`) have no static shapes until this is done; calibration,
 * training and MAC counting need them. The batch dim stays symbolic (a command feeds batches of any size).
 */
import type { Dim, Graph, ValueInfo } from '../graph.js';
import { ReproError } from '../../util/errors.js';
import { formatShape } from './dims.js';

/** What a binding did: the symbols it replaced, and the input shapes as they were (to restore them on an output). */
export interface InputBinding {
  /** Symbol → size, e.g. { H: 224, W: 224 }. Empty when the input was already static. */
  symbols: Record<string, number>;
  /** The graph inputs before binding (deep copies). */
  original: ValueInfo[];
}

/** Parse `1,3,224,224` (or `1x3x224x224`) into positive integers; `flag` names the option in errors. */
export function parseShapeList(text: string, flag = '--input-shape'): number[] {
  const parts = text.split(/[,x×]/).map((s) => s.trim());
  const dims = parts.map(Number);
  if (parts.some((p) => p === '') || dims.some((d) => !Number.isInteger(d) || d < 1))
    throw new ReproError(`${flag} ${text}: expected positive integers separated by commas, e.g. ${flag} 1,3,224,224`);
  return dims;
}

/**
 * Bind the symbolic non-batch dims of graph input `input` (default: the only one) to `dims` (a full shape, batch
 * included; its batch entry is only checked against a fixed batch). Every use of a bound symbol — in other inputs
 * and in recorded value info — is replaced too. Changes `g` in place; `where` prefixes errors.
 */
export function bindInputDims(g: Graph, dims: readonly number[], where: string, input?: string): InputBinding {
  const original = g.inputs.map((v) => ({ ...v, ...(v.shape ? { shape: [...v.shape] } : {}) }));
  const v = pickInput(g, where, input);
  const shape = v.shape ?? dims.map((_, i) => (i === 0 ? 'N' : `d${i}`));
  if (shape.length !== dims.length)
    throw new ReproError(
      `${where}: input '${v.name}' has rank ${shape.length} ${formatShape(shape)}, the shape given has ${dims.length} dims ${formatShape([...dims])}`,
    );
  const symbols: Record<string, number> = {};
  shape.forEach((d, i) => {
    if (typeof d === 'number') {
      if (d !== dims[i])
        throw new ReproError(
          `${where}: input '${v.name}' is ${formatShape(shape)}; dim ${i} is fixed at ${d}, not ${dims[i]}`,
        );
    } else if (i > 0) symbols[d] = dims[i]!;
  });
  if (!v.shape) v.shape = shape;
  substituteSymbols(g, symbols);
  return { symbols, original };
}

/** Bind the non-batch dims of the single input from one sample's shape (`[C, H, W]` for images); rank must fit. */
export function bindSampleShape(g: Graph, sample: readonly number[], where: string): InputBinding | undefined {
  if (g.inputs.length !== 1) return undefined;
  const shape = g.inputs[0]!.shape;
  if (!shape || shape.length !== sample.length + 1) return undefined;
  if (shape.slice(1).every((d) => typeof d === 'number')) return undefined;
  return bindInputDims(g, [1, ...sample], where);
}

/** Symbolic dims of the graph inputs other than each input's leading (batch) dim. */
export function unboundInputSymbols(g: Graph): string[] {
  const out = new Set<string>();
  for (const v of g.inputs) for (const d of v.shape?.slice(1) ?? []) if (typeof d === 'string') out.add(d);
  return [...out];
}

/**
 * Put the original (symbolic) input shapes back on a graph computed from a bound one, so a saved model stays
 * dynamic. Recorded value info mentioning bound sizes is dropped (it held one size only); output shapes become
 * unknown and are inferred again on the next load.
 */
export function restoreInputDims(out: Graph, binding: InputBinding): Graph {
  if (Object.keys(binding.symbols).length === 0) return out;
  for (const v of out.inputs) {
    const o = binding.original.find((x) => x.name === v.name);
    if (o?.shape) v.shape = [...o.shape];
  }
  for (const o of out.outputs) delete o.shape;
  out.valueInfo.clear();
  return out;
}

function pickInput(g: Graph, where: string, input?: string): ValueInfo {
  if (input !== undefined) {
    const v = g.inputs.find((x) => x.name === input);
    if (!v)
      throw new ReproError(`${where}: no graph input '${input}'; inputs: ${g.inputs.map((x) => x.name).join(', ')}`);
    return v;
  }
  if (g.inputs.length !== 1)
    throw new ReproError(
      `${where}: the model has ${g.inputs.length} inputs (${g.inputs.map((x) => x.name).join(', ')}); --input-shape binds a single input`,
    );
  return g.inputs[0]!;
}

function substituteSymbols(g: Graph, symbols: Record<string, number>): void {
  const sub = (shape: Dim[] | undefined) =>
    shape?.map((d) => (typeof d === 'string' && d in symbols ? symbols[d]! : d));
  const has = (s: Dim[] | undefined) => s?.some((d) => typeof d === 'string' && d in symbols);
  for (const v of g.inputs) v.shape = sub(v.shape);
  for (const v of g.outputs) if (has(v.shape)) v.shape = sub(v.shape);
  for (const v of g.valueInfo.values()) if (has(v.shape)) v.shape = sub(v.shape);
}
