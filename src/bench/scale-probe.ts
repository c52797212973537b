/**
 * Preloaded (`node --import`) into each child process of `reprune bench scale`: when the process exits it writes
 * its peak RSS and CPU times (process.resourceUsage) as JSON to $REPRUNE_SCALE_PROBE, so the bench measures the
 * real CLI command without wrapping it. Imports nothing of reprune.
 *
 * Peak RSS is the address space's high-water mark (VmHWM in /proc/self/status) where Linux has it: getrusage's
 * maxrss survives execve, so a child spawned by a bench holding a loaded model reported the bench's own RSS when that
 * was larger (every small pass of ResNet-50 read 384 MB, the parent's size, in one run).
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** VmHWM in KB, or undefined off Linux. */
function highWaterKB(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const file = process.env.REPRUNE_SCALE_PROBE;
if (file) {
  process.on('exit', (code) => {
    const r = process.resourceUsage();
    const json = {
      code,
      maxRssKB: highWaterKB() ?? r.maxRSS,
      userMs: r.userCPUTime / 1000,
      systemMs: r.systemCPUTime / 1000,
    };
    writeFileSync(file, JSON.stringify(json));
  });
}
