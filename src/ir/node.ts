/** The plain data of an ONNX graph: values, nodes and opset imports (the Graph class holds them). */
import type { Attrs } from './attrs.js';
import type { DType } from './tensor.js';

/** A dimension: a number, or a symbolic name such as 'N' for the batch. */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  dtype: DType;
  /** undefined = rank unknown. */
  shape?: Dim[];
}

export interface Node {
  name: string;
  opType: string;
  /** '' (or undefined) is the default ONNX domain. */
  domain?: string;
  /** '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  docString?: string;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface GraphIndex {
  producer: Map<string, Node>;
  consumers: Map<string, Node[]>;
}
