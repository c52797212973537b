import type { Graph } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/ir/tensor.js';
import type { OpCase } from './harness.js';

/** Reference evaluator vs ORT (filled in once the evaluator lands). */
export function compareToOrt(_c: OpCase, _g: Graph, _feeds: Record<string, Tensor>, _outs: string[], _ort: Record<string, Tensor>): void {}
