import type { Tensor } from './tensor.js';
import { ReproError } from '../util/errors.js';

/** A node attribute, tagged with its ONNX kind so import/export round-trips exactly (1 vs 1.0 matters to ONNX). */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensor'; value: Tensor };

export type Attrs = Record<string, Attr>;

/** Constructors, so builders read `{ group: A.int(2), strides: A.ints([2, 2]) }`. */
export const A = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  ints: (value: number[]): Attr => ({ kind: 'ints', value: [...value] }),
  floats: (value: number[]): Attr => ({ kind: 'floats', value: [...value] }),
  strings: (value: string[]): Attr => ({ kind: 'strings', value: [...value] }),
  tensor: (value: Tensor): Attr => ({ kind: 'tensor', value }),
};

export function attrInt(attrs: Attrs, name: string, dflt: number): number;
export function attrInt(attrs: Attrs, name: string): number | undefined;
export function attrInt(attrs: Attrs, name: string, dflt?: number): number | undefined {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'int') throw new ReproError(`attribute '${name}' should be an int, is ${a.kind} (malformed model?)`);
  return a.value;
}

export function attrFloat(attrs: Attrs, name: string, dflt: number): number {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'float' && a.kind !== 'int')
    throw new ReproError(`attribute '${name}' should be a float, is ${a.kind} (malformed model?)`);
  return a.value;
}

export function attrInts(attrs: Attrs, name: string, dflt: number[]): number[];
export function attrInts(attrs: Attrs, name: string): number[] | undefined;
export function attrInts(attrs: Attrs, name: string, dflt?: number[]): number[] | undefined {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'ints') throw new ReproError(`attribute '${name}' should be ints, is ${a.kind} (malformed model?)`);
  return a.value;
}

export function attrFloats(attrs: Attrs, name: string): number[] | undefined {
  const a = attrs[name];
  if (!a) return undefined;
  if (a.kind !== 'floats' && a.kind !== 'ints')
    throw new ReproError(`attribute '${name}' should be floats, is ${a.kind} (malformed model?)`);
  return a.value;
}

export function attrString(attrs: Attrs, name: string, dflt: string): string {
  const a = attrs[name];
  if (!a) return dflt;
  if (a.kind !== 'string')
    throw new ReproError(`attribute '${name}' should be a string, is ${a.kind} (malformed model?)`);
  return a.value;
}

export function attrTensor(attrs: Attrs, name: string): Tensor | undefined {
  const a = attrs[name];
  if (!a) return undefined;
  if (a.kind !== 'tensor')
    throw new ReproError(`attribute '${name}' should be a tensor, is ${a.kind} (malformed model?)`);
  return a.value;
}
