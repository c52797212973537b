/**
 * Graceful stop on Ctrl-C for long runs. A long loop (the trainer) calls `onStopRequest()` while it runs and
 * polls `stopRequested()` between steps; on the first SIGINT it finishes the current step, saves a checkpoint
 * and throws `Interrupted`, which the CLI turns into exit code 130 (the shell convention for SIGINT).
 * A second SIGINT quits at once, so an impatient user is never stuck.
 */
import { ReproError } from './errors.js';

/** A deliberate stop: one line for the user and exit code 130. */
export class Interrupted extends ReproError {
  readonly exitCode = 130;
  constructor(message: string) {
    super(message);
    this.name = 'Interrupted';
  }
}

let requested = false;
let holders = 0;

function onSigint(): void {
  if (requested) {
    process.stderr.write('\ninterrupted again: quitting without saving\n');
    process.exit(130);
  }
  requested = true;
  process.stderr.write(
    '\ninterrupt: stopping after the current step and saving a checkpoint (Ctrl-C again to quit now)\n',
  );
}

/**
 * Take over SIGINT until the returned function is called (nested holders share one handler).
 * Without a holder Node's default applies: Ctrl-C ends the process at once.
 */
export function onStopRequest(): () => void {
  if (holders++ === 0) {
    requested = false;
    process.on('SIGINT', onSigint);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders === 0) process.off('SIGINT', onSigint);
  };
}

/** True once SIGINT arrived while a holder was active (or `requestStop()` was called). */
export function stopRequested(): boolean {
  return requested;
}

/** Ask the running loop to stop as if Ctrl-C was pressed (tests, embedding applications). */
export function requestStop(): void {
  requested = true;
}

/** Forget a stop request (a library user that handled the Interrupted error and trains again). */
export function clearStopRequest(): void {
  requested = false;
}
