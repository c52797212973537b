import type { Command } from 'commander';
import { register as info } from './info.js';
import { register as evalCmd } from './eval.js';
import { register as exportZoo } from './export-zoo.js';

/** Every CLI command; add one line per command file. */
export const commands: Array<(program: Command) => void> = [info, evalCmd, exportZoo];
