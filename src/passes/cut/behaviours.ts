/** Calibration Grams for every group REAP/NU may cut (wraps reap/calibrate.ts with the coupling view). */
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../ir/graph.js';
import type { Mat } from '../../linalg/index.js';
import { type CalibOptions, calibrateGrams } from '../reap/calibrate.js';
import { groupStatuses } from './groups.js';

export async function groupGrams(
  g: Graph,
  ds: Dataset,
  opts: CalibOptions & { skip?: string[] } = {},
): Promise<Map<string, Mat>> {
  const targets = groupStatuses(g, { behaviour: true, skip: opts.skip })
    .filter((s) => !s.reason && s.value)
    .map((s) => ({
      key: s.key,
      value: s.value!,
      size: s.group.size,
      offset: s.group.consumers[0]!.offset,
      block: s.group.consumers[0]!.block,
      // MatMul consumers read the channels on the last axis (NHWC after a Transpose, or tokens × features).
      channelsLast: s.group.consumers[0]!.opType === 'MatMul',
    }));
  return calibrateGrams(g, ds, targets, opts);
}
