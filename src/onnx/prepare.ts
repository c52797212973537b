/**
 * Load a model file the way every CLI command needs it: decoded, structurally valid, constant
 * shape arithmetic folded, only supported ops, and shapes that infer. Every problem becomes one
 * ReproError that names the file, so commands (and the fuzz tests) have a single entry point.
 */
import type { Graph } from '../ir/graph.js';
import { checkSupported, foldConstants, inferShapes } from '../ir/shape/index.js';
import { ReproError } from '../util/errors.js';
import { loadOnnx } from './decode.js';

/** Validate, fold and shape-check a decoded graph in place; `where` prefixes error messages. */
export function prepareGraph(g: Graph, where: string): Graph {
  try {
    g.validate();
    foldConstants(g);
    checkSupported(g);
    // Inference runs on a clone so the caller's graph keeps its symbolic batch dim.
    inferShapes(g.clone(true));
  } catch (e) {
    // Other exceptions are bugs in reprune: let them keep their stack (the fuzz tests look for them).
    if (e instanceof ReproError) throw new ReproError(`${where}: ${e.message}`);
    throw e;
  }
  return g;
}

/** `loadOnnx` followed by `prepareGraph`. */
export function loadModelChecked(file: string): Graph {
  return prepareGraph(loadOnnx(file), file);
}
