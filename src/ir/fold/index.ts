import type { Graph } from '../graph.js';

/** Placeholder until folding lands. */
export function foldConstants(g: Graph): void {
  void g;
}
