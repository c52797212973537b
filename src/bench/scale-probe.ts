/**
 * Preloaded (`node --import`) into each child process of `reprune bench scale`: when the process exits it writes
 * its peak RSS and CPU times (process.resourceUsage) as JSON to $REPRUNE_SCALE_PROBE, so the bench measures the
 * real CLI command without wrapping it. Imports nothing of reprune.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.REPRUNE_SCALE_PROBE;
if (file) {
  process.on('exit', (code) => {
    const r = process.resourceUsage();
    const json = { code, maxRssKB: r.maxRSS, userMs: r.userCPUTime / 1000, systemMs: r.systemCPUTime / 1000 };
    writeFileSync(file, JSON.stringify(json));
  });
}
