import type { Graph } from '../ir/graph.js';
import { checkOutputPath, type WriteGuard } from '../util/fs.js';
import { writeThroughTempWith } from '../util/output-guard.js';
import { externalDataFilesRead } from './decode-tensor.js';
import { encodeModelPieces } from './encode.js';
import { saveOnnxExternal, wantsExternalData, writePieces } from './external.js';

export interface SaveOptions {
  /**
   * Keep the large tensors in `<file>.data` beside the model. Default: the CLI's --external-data, and always when the
   * weights are too large for one protobuf message (over ~1.9 GB).
   */
  externalData?: boolean;
  /** Progress lines while a multi-GB external data file is written (silent under a second). */
  log?: (line: string) => void;
}

/** Write a graph as an .onnx file, atomically; `guard` protects inputs (external data files read included). */
export function saveOnnx(g: Graph, file: string, guard?: WriteGuard, o: SaveOptions = {}): void {
  if (wantsExternalData(g, o.externalData)) {
    saveOnnxExternal(g, file, guard, o.log);
    return;
  }
  const inputs = [...(guard?.inputs ?? []), ...externalDataFilesRead()];
  if (guard) checkOutputPath(file, { ...guard, inputs });
  // Written piece by piece from the graph's own arrays: the encoded model never exists as a second copy in memory.
  const pieces = encodeModelPieces(g);
  writeThroughTempWith(file, (fd) => writePieces(fd, pieces), guard ? !!guard.force : true);
}
