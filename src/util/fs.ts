/**
 * Writing files safely: `checkOutputPath` claims an output before any work (see output-guard.ts: inputs and other
 * outputs compared as files, --force for existing files, a writable folder with free space, a lock against a
 * second process), and `writeFileAtomic` writes through an exclusive temp file renamed into place.
 */
import { claimOutputs, type InputSpec, writeThroughTemp } from './output-guard.js';

export type { InputSpec } from './output-guard.js';

export interface WriteGuard {
  /** Files the command read; an output may never replace one of them (compared as files, not path strings). */
  inputs?: Array<string | InputSpec>;
  /** Allow replacing an existing output file. */
  force?: boolean;
  /** How messages name the output: '-o' (default), '--plot', ... */
  flag?: string;
  /** Expected size in bytes, for the free-space check. */
  bytes?: number;
}

/** Refuse an output that would overwrite an input, an existing file without --force, or that cannot be written. */
export function checkOutputPath(out: string, guard: WriteGuard = {}): void {
  claimOutputs([{ path: out, flag: guard.flag, bytes: guard.bytes }], { inputs: guard.inputs, force: guard.force });
}

/**
 * Write via an exclusively created temp file in the same folder and rename, so a crash never leaves a half-written
 * output. With a guard the output is checked (and claimed) first; without one an existing file is replaced.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string, guard?: WriteGuard): void {
  if (guard) checkOutputPath(file, guard);
  writeThroughTemp(file, data, guard ? !!guard.force : true);
}
