import type { Command } from 'commander';
import { register as info } from './info.js';
import { register as evalCmd } from './eval.js';
import { register as exportZoo } from './export-zoo.js';
import { register as report } from './report.js';
import { register as demo } from './demo.js';
import { register as train } from './train.js';
import { register as finetune } from './finetune.js';
import { register as prune } from './prune.js';
import { register as reparam } from './reparam.js';
import { register as bench } from './bench.js';
import { register as unify } from './unify.js';
import { register as tedepr } from './tedepr.js';

/** Every CLI command; add one line per command file. */
export const commands: Array<(program: Command) => void> = [info, evalCmd, exportZoo, report, demo, train, finetune, tedepr, bench, unify, prune, reparam];
