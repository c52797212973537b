/**
 * An error meant for the user: one line that names the file, node or flag at fault and how to fix it.
 * The CLI prints `error: <message>` and exits with code 2; any other exception is a bug in reprune.
 */
export class ReproError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReproError';
  }
}

/** Throw a ReproError unless `cond` holds. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new ReproError(typeof message === 'function' ? message() : message);
}
