/**
 * Labels against classes, before any work: the class count comes from the model's output (or, for a zoo model
 * built here, from --classes or the training labels, within a sane bound), and every label of every split a
 * command reads — training, test, calibration — must be one of those classes. A test label the model cannot
 * output would otherwise give a silently wrong accuracy; a label of 3,000,000 would build a 3-million-class model.
 */
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';
import { inferShapes } from '../ir/shape/index.js';
import { ReproError } from '../util/errors.js';

/** The most classes a zoo classifier is built with (ImageNet-21k has 21,841). */
export const MAX_CLASSES = 100_000;

/** The class count of a classifier: the last dim of its first output [batch, classes], when known statically. */
export function modelClasses(g: Graph): number | undefined {
  const out = g.outputs[0];
  if (!out) return undefined;
  let dims = out.shape;
  if (!dims || typeof dims[dims.length - 1] !== 'number') {
    try {
      const c = g.clone(true);
      inferShapes(c);
      dims = c.outputs[0]?.shape;
    } catch {
      return undefined; // the runtime checks the logits when it sees them
    }
  }
  const last = dims?.[dims.length - 1];
  return dims?.length === 2 && typeof last === 'number' && last > 0 ? last : undefined;
}

/** Every label of `ds` must lie in 0..classes-1; `what` names the split (`--data d, test split`), `of` the classes. */
export function checkLabels(ds: Dataset, classes: number, what: string, of = `the model's ${classes} classes`): void {
  const labels = ds.labels;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v < 0 || v >= classes)
      throw new ReproError(
        `${what}: label ${v} at index ${i} is not one of ${of} (0..${classes - 1}); use data labelled for it`,
      );
  }
}

/** Classes of a zoo model trained on `train`: `--classes` when given, else the largest training label + 1 (bounded). */
export function zooClasses(train: Dataset, data: string, flag?: number): number {
  if (flag !== undefined) return flag;
  if (train.numClasses <= MAX_CLASSES) return train.numClasses;
  const labels = train.labels;
  let at = 0;
  for (let i = 1; i < labels.length; i++) if (labels[i]! > labels[at]!) at = i;
  throw new ReproError(
    `--data ${data}: training label ${labels[at]} at index ${at} would make a ${labels[at]! + 1}-class model; reprune builds at most ${MAX_CLASSES} classes — check the labels, or give the count with --classes N`,
  );
}

/** `--data <spec>, <split> split`: how label errors name a split. */
export const splitName = (data: string, split: string) => `--data ${data}, ${split} split`;
