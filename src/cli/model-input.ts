/**
 * How every command that reads a model loads it: decoded and checked, its symbolic input dims bound
 * (`--input-shape 1,3,224,224`, else the sample shape of `--data`), and the shapes of ops reprune has no rule for
 * learned from ONNX Runtime. One helper, so info, eval, prune, reparam, finetune, tedepr and unify agree.
 */
import type { Command } from 'commander';
import type { Graph } from '../ir/graph.js';
import { parseShapeList } from '../ir/shape/index.js';
import { loadModelChecked } from '../onnx/prepare.js';
import { type PreparedModel, prepareModel } from '../runtime/shapes.js';
import { ReproError } from '../util/errors.js';

export interface InputShapeFlags {
  inputShape?: number[];
}

/** Add `--input-shape` to a command. */
export function addInputShapeOption<C extends Command>(cmd: C): C {
  cmd.option(
    '--input-shape <dims>',
    'bind symbolic input dims (e.g. 1,3,224,224) for MACs, calibration and training; default: the shape of --data samples',
    (v: string) => parseShapeList(v),
  );
  return cmd;
}

/** Load `file` and make it ready for a command (see the module comment); `sample` = one data sample's shape. */
export async function loadModelFor(
  file: string,
  f: InputShapeFlags,
  sample?: readonly number[],
): Promise<PreparedModel> {
  return prepareLoaded(file, loadModelChecked(file), f, sample);
}

/** The second half of `loadModelFor`, for a command that checks the model before it loads its data. */
export async function prepareLoaded(
  file: string,
  g: Graph,
  f: InputShapeFlags,
  sample?: readonly number[],
): Promise<PreparedModel> {
  try {
    return await prepareModel(g, { inputShape: f.inputShape, sampleShape: sample, where: file });
  } catch (e) {
    if (e instanceof ReproError && !e.message.startsWith(file)) throw new ReproError(`${file}: ${e.message}`);
    throw e;
  }
}

/** One line per thing a user should know about how the model was read (bound dims, shapes from ORT). */
export function preparationNotes(p: PreparedModel): string[] {
  const notes: string[] = [];
  const sym = p.binding ? Object.entries(p.binding.symbols) : [];
  if (sym.length) notes.push(`input dims bound: ${sym.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (p.shapes.learned.length)
    notes.push(
      `shapes of ${p.shapes.learned.length} values after ops without a reprune shape rule came from ONNX Runtime`,
    );
  if (p.shapes.unresolved) notes.push(p.shapes.unresolved);
  return notes;
}
