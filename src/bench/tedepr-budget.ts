/**
 * The TEDEPR bench's training budget per architecture (`reprune bench tedepr`): the defaults, --quick's, and the
 * flags that override them.
 */
import { benchDataOf } from '../models/trained.js';

/** How long one architecture trains from scratch, and on how much data. */
export interface TedeprBudget {
  epochs: number;
  /** First N training samples (undefined: all). */
  trainLimit?: number;
  /** First N test samples (undefined: all). */
  testLimit?: number;
}

/**
 * The default budget per architecture: what the docs' tables were measured at. A full grid is 126 trainings from
 * scratch per architecture (3 sparsities × 3 seeds × (6 scores + the control) × dense and TEDEPR); at 3 epochs on
 * the whole training set that is about 15 hours of two cores for vgg-small alone (24 s per 1-epoch, 10,000-image
 * training in docs/bench/tedepr-vgg-small.md, × 18), so the grid is judged on
 * rankings at a budget the suite (`reprune bench all`) can finish: 2 epochs on 20,000 images for the small MNIST
 * nets, 1 epoch on 10,000 images and the first 2,000 test images for the Fashion-MNIST conv nets.
 */
export const TEDEPR_BUDGETS: Record<string, TedeprBudget> = {
  mlp: { epochs: 2, trainLimit: 20000 },
  lenet5: { epochs: 2, trainLimit: 20000 },
  'vgg-small': { epochs: 1, trainLimit: 10000, testLimit: 2000 },
  'resnet-small': { epochs: 1, trainLimit: 10000, testLimit: 2000 },
  'alexnet-small': { epochs: 1, trainLimit: 10000, testLimit: 2000 },
};

/** Architectures without an entry (user-built ones): the small nets' budget. */
const FALLBACK_BUDGET: TedeprBudget = TEDEPR_BUDGETS.lenet5!;

/** --quick: every architecture 1 epoch on 20,000 images. */
const QUICK_BUDGET: TedeprBudget = { epochs: 1, trainLimit: 20000 };

/** The fields of `o` that are set. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** One architecture's budget: its default (or --quick's), then the flags given. */
export function archBudget(cfg: { budget: Partial<TedeprBudget>; quick: boolean }, arch: string): TedeprBudget {
  const base = cfg.quick ? QUICK_BUDGET : (TEDEPR_BUDGETS[arch] ?? FALLBACK_BUDGET);
  return { ...base, ...cfg.budget };
}

export const budgetText = (arch: string, b: TedeprBudget) =>
  `${arch} on ${benchDataOf(arch)}: ${b.epochs} epoch(s) on ${b.trainLimit?.toLocaleString('en-US') ?? 'all'} training images, ${b.testLimit ? `first ${b.testLimit.toLocaleString('en-US')}` : 'all'} test images`;
