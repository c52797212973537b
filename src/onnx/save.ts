import type { Graph } from '../ir/graph.js';
import { writeFileAtomic, type WriteGuard } from '../util/fs.js';
import { encodeModel } from './encode.js';

/** Write a graph as an .onnx file, atomically; `guard` protects inputs and existing files. */
export function saveOnnx(g: Graph, file: string, guard?: WriteGuard): void {
  writeFileAtomic(file, encodeModel(g), guard);
}
