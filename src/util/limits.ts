/**
 * Memory limit (`--max-memory <MB>`, default 75 % of RAM). Files and declared tensor sizes are compared with it
 * BEFORE anything is read or allocated, so a huge or hostile model fails early with a message naming the file
 * and the limit instead of being killed by the OS halfway through a run.
 * The check is deliberately simple: the bytes a file or a declared tensor set needs must fit the limit on their own.
 */
import * as os from 'node:os';
import { ReproError } from './errors.js';

const MB = 2 ** 20;

export function defaultMemoryLimitMB(): number {
  return Math.max(64, Math.floor((0.75 * os.totalmem()) / MB));
}

let limitMB = defaultMemoryLimitMB();

/** Set the limit in MB (the CLI's --max-memory); undefined restores the default. */
export function setMemoryLimitMB(mb?: number): void {
  if (mb !== undefined && !(Number.isInteger(mb) && mb >= 1))
    throw new ReproError(`--max-memory ${mb}: expected a whole number of MB >= 1`);
  limitMB = mb ?? defaultMemoryLimitMB();
}

export function memoryLimitMB(): number {
  return limitMB;
}

export function memoryLimitBytes(): number {
  return limitMB * MB;
}

/** Human size: "3.2 GB", "640 MB", "12 kB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'an unbounded amount of memory';
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  return `${Math.ceil(n / 1024)} kB`;
}

/**
 * Throw unless `bytes` fits the limit. `what` names the file and the thing measured, e.g.
 * "model.onnx: initializers declare" → "model.onnx: initializers declare 3.0 GB: too large for --max-memory 1024 MB; ...".
 */
export function checkMemory(bytes: number, what: string): void {
  if (bytes <= memoryLimitBytes()) return;
  throw new ReproError(
    `${what} ${formatBytes(bytes)}: too large for --max-memory ${limitMB} MB; raise --max-memory if the machine has the RAM, or use a smaller model or dataset`,
  );
}

/** Bytes an ONNX TensorProto header declares (dims × element size), without touching its data; unknown types count 4 bytes. */
export function declaredTensorBytes(
  t: { dims?: unknown[] | null; dataType?: number | null },
  bytesPerElement: (code: number) => number | undefined,
): number {
  let n = bytesPerElement(t.dataType ?? 0) ?? 4;
  for (const d of t.dims ?? []) {
    const v = Number(typeof d === 'object' && d !== null ? String(d) : d);
    // Negative or non-numeric dims are reported by the tensor decoder with a better message.
    if (!Number.isFinite(v) || v < 0) return 0;
    n *= v;
  }
  return n;
}
