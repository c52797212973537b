/**
 * Writing ONNX models with external data. Protobuf cannot encode a message over 2 GB, so a model whose weights
 * approach that size (or any model, with --external-data) is written as two files: `model.onnx` holding the graph
 * and the small tensors, and `model.onnx.data` beside it holding the large tensors' raw bytes, each at a
 * page-aligned offset (ONNX Runtime may map aligned tensors instead of copying them). The tensors are written
 * straight from the graph's typed arrays in bounded pieces, so saving needs no second copy of the weights.
 * Both files go through the output guard (claimed, temp file then rename); the data file is written first, so a
 * model file never names data that is not there yet.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Graph } from '../ir/graph.js';
import type { TensorData } from '../ir/tensor.js';
import { ReproError } from '../util/errors.js';
import { checkOutputPath, type WriteGuard } from '../util/fs.js';
import { claimOutputs, writeThroughTemp, writeThroughTempWith } from '../util/output-guard.js';
import { type ProgressLines, progressLines } from '../util/progress-lines.js';
import { externalDataFilesRead } from './decode-tensor.js';
import { graphToModelProto } from './encode.js';
import { onnx } from './proto.js';

/** Above this many bytes of initializers a model is written with external data (protobuf's hard limit is 2 GiB). */
export const EXTERNAL_DATA_THRESHOLD = Math.floor(1.9 * 2 ** 30);
/** Tensors smaller than this stay inside the .onnx file (as ONNX's own converter does). */
export const INLINE_BELOW_BYTES = 1024;
const ALIGN = 4096;
/** Largest single write. */
const CHUNK = 64 * 2 ** 20;
const MB = 2 ** 20;
const EXTERNAL = 1;

let alwaysExternal = false;

/** The CLI's --external-data: every model written from now on keeps its large tensors in a side file. */
export function setExternalDataDefault(on?: boolean): void {
  alwaysExternal = !!on;
}

/** The side file of `file`: `model.onnx` → `model.onnx.data`. */
export function externalDataPath(file: string): string {
  return `${file}.data`;
}

/** Total bytes of the initializers' payloads. */
export function initializerBytes(g: Graph): number {
  let n = 0;
  for (const t of g.initializers.values()) n += t.data.byteLength;
  return n;
}

/** Whether `g` must (too large for protobuf) or should (--external-data, or `force`) be written with external data. */
export function wantsExternalData(g: Graph, force?: boolean): boolean {
  return (force ?? alwaysExternal) || initializerBytes(g) > EXTERNAL_DATA_THRESHOLD;
}

export interface ExternalSlot {
  name: string;
  data: TensorData;
  offset: number;
  length: number;
}

/** Where each large initializer goes in the data file: in graph order, every offset a multiple of 4096. */
export function externalLayout(g: Graph): ExternalSlot[] {
  const slots: ExternalSlot[] = [];
  let end = 0;
  for (const [name, t] of g.initializers) {
    const length = t.data.byteLength;
    if (length < INLINE_BELOW_BYTES) continue;
    const offset = Math.ceil(end / ALIGN) * ALIGN;
    slots.push({ name, data: t.data, offset, length });
    end = offset + length;
  }
  return slots;
}

/** The .onnx bytes of `g` with the tensors of `slots` pointing into `location` (a file name beside the model). */
export function encodeModelExternal(g: Graph, location: string, slots: ExternalSlot[]): Uint8Array {
  const m = graphToModelProto(g, false);
  const bySlot = new Map(slots.map((s) => [s.name, s]));
  for (const t of m.graph?.initializer ?? []) {
    const s = bySlot.get(t.name ?? '');
    if (!s) continue;
    t.rawData = undefined;
    t.dataLocation = EXTERNAL;
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(s.offset) },
      { key: 'length', value: String(s.length) },
    ];
  }
  return onnx.ModelProto.encode(onnx.ModelProto.create(m as never)).finish();
}

/** Bytes of the data file: the end of its last slot. */
function dataBytes(slots: ExternalSlot[]): number {
  const last = slots[slots.length - 1];
  return last ? last.offset + last.length : 0;
}

/** Write `bytes` at `position` in pieces of at most 64 MB (no call hits the OS's 2 GB per-write limit). */
function writeAt(fd: number, bytes: Uint8Array, position: number, what: string, done?: (end: number) => void): void {
  let at = 0;
  while (at < bytes.length) {
    const n = fs.writeSync(fd, bytes, at, Math.min(CHUNK, bytes.length - at), position + at);
    if (n <= 0) throw new ReproError(`cannot write ${what}`);
    at += n;
    done?.(position + at);
  }
}

/** Write every slot at its offset (the gaps between them stay zero), in pieces of at most 64 MB. */
export function writeExternalData(fd: number, slots: ExternalSlot[], progress?: ProgressLines): void {
  const total = dataBytes(slots);
  for (const s of slots) {
    const bytes = new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    writeAt(fd, bytes, s.offset, `tensor '${s.name}' to the external data file`, (end) =>
      progress?.step(Math.round(end / MB), `${Math.round(total / MB)} MB in all`),
    );
  }
  // A model whose data file holds nothing still gets an (empty) file, so both outputs always exist together.
  if (slots.length) fs.ftruncateSync(fd, total);
}

/** Write `pieces` one after another from the start of `fd` (an encoded model, see encodeModelPieces). */
export function writePieces(fd: number, pieces: Uint8Array[]): void {
  let at = 0;
  for (const p of pieces) {
    writeAt(fd, p, at, 'the model file');
    at += p.length;
  }
}

/**
 * Save `g` as `file` + `file.data`. With a guard both files are claimed (never an input, including the external data
 * files this process read; an existing file only with --force); without one existing files are replaced.
 */
export function saveOnnxExternal(g: Graph, file: string, guard?: WriteGuard, log?: (line: string) => void): void {
  const dataFile = externalDataPath(file);
  const slots = externalLayout(g);
  const bytes = dataBytes(slots);
  // A multi-GB write takes seconds (ResNet-50 expanded ×4: ~9 s): say so in MB, like every step over a second.
  const progress = progressLines(log, `writing ${path.basename(dataFile)} (MB)`, Math.round(bytes / MB));
  const modelBytes = encodeModelExternal(g, path.basename(dataFile), slots);
  if (guard) {
    const inputs = [...(guard.inputs ?? []), ...externalDataFilesRead()];
    checkOutputPath(file, { ...guard, inputs, bytes: modelBytes.length });
    claimOutputs([{ path: dataFile, flag: guard.flag ?? '-o', bytes }], { inputs, force: guard.force });
  }
  const replace = guard ? !!guard.force : true;
  writeThroughTempWith(dataFile, (fd) => writeExternalData(fd, slots, progress), replace);
  writeThroughTemp(file, modelBytes, replace);
}
