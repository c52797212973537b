/** Progress display on stderr: a cli-progress bar on a terminal, one line per epoch otherwise. */
import cliProgress from 'cli-progress';
import type { EpochStats } from './checkpoint.js';

export interface ProgressInfo {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  trainAcc: number;
  samplesPerSecond: number;
}

export class ProgressDisplay {
  private bar?: cliProgress.SingleBar;

  constructor(
    private readonly enabled: boolean,
    private readonly tty = !!process.stderr.isTTY,
  ) {}

  startEpoch(epoch: number, epochs: number, steps: number): void {
    if (!this.enabled || !this.tty) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `epoch ${epoch + 1}/${epochs} {bar} {value}/{total} | loss {loss} | acc {acc}% | {sps} samples/s`,
        hideCursor: false,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(steps, 0, { loss: '-', acc: '-', sps: '-' });
  }

  update(p: ProgressInfo): void {
    this.bar?.update(p.step, {
      loss: p.loss.toFixed(4),
      acc: (100 * p.trainAcc).toFixed(2),
      sps: Math.round(p.samplesPerSecond),
    });
  }

  endEpoch(s: EpochStats, epochs: number): void {
    this.bar?.stop();
    this.bar = undefined;
    if (!this.enabled) return;
    const test = s.testAcc === undefined ? '' : ` | test acc ${(100 * s.testAcc).toFixed(2)}%`;
    process.stderr.write(
      `epoch ${s.epoch + 1}/${epochs}: loss ${s.loss.toFixed(4)} | train acc ${(100 * s.trainAcc).toFixed(2)}%${test} | ${Math.round(s.samplesPerSecond)} samples/s | lr ${s.lr.toPrecision(3)}\n`,
    );
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
