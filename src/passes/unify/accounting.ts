import { blockSize, STATE, type BlockGrid } from './blocks.js';

/**
 * Storage and compute of a block-unified layer (our accounting, documented in the README):
 * - free block: 32 bits per weight; unified: one 32-bit magnitude + one sign bit per weight; pruned: nothing;
 *   plus a 2-bit state per block (the block map).
 * - multiplies per output position: a free block costs one per weight; a unified block of height bh costs bh
 *   (each row sums its signed inputs, then multiplies once by the shared magnitude — "one multiply" for 1×bw
 *   blocks, as the paper counts); a pruned block costs none.
 */
export interface BlockAccounting {
  blocks: number;
  unifiedBlocks: number;
  prunedBlocks: number;
  bits: number;
  denseBits: number;
  multiplies: number;
  denseMultiplies: number;
}

export function accountLayer(grid: BlockGrid, states: Uint8Array, outputPositions = 1): BlockAccounting {
  const acc: BlockAccounting = {
    blocks: grid.count,
    unifiedBlocks: 0,
    prunedBlocks: 0,
    bits: 2 * grid.count,
    denseBits: 0,
    multiplies: 0,
    denseMultiplies: 0,
  };
  for (let b = 0; b < grid.count; b++) {
    const k = blockSize(grid, b);
    const height = k / Math.min(grid.bw, grid.cols - (b % grid.blockCols) * grid.bw);
    acc.denseBits += 32 * k;
    acc.denseMultiplies += k * outputPositions;
    if (states[b] === STATE.pruned) acc.prunedBlocks++;
    else if (states[b] === STATE.unified) {
      acc.unifiedBlocks++;
      acc.bits += 32 + k;
      acc.multiplies += height * outputPositions;
    } else {
      acc.bits += 32 * k;
      acc.multiplies += k * outputPositions;
    }
  }
  return acc;
}

export function sumAccounting(parts: BlockAccounting[]): BlockAccounting {
  const total: BlockAccounting = {
    blocks: 0,
    unifiedBlocks: 0,
    prunedBlocks: 0,
    bits: 0,
    denseBits: 0,
    multiplies: 0,
    denseMultiplies: 0,
  };
  for (const p of parts) for (const k of Object.keys(total) as (keyof BlockAccounting)[]) total[k] += p[k];
  return total;
}
