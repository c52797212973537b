#!/usr/bin/env node
// The installed command: the compiled CLI in dist/ (`npm run build`; `npm ci` and `npm pack` build it first).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/run.js', import.meta.url);
// A clone that was never built: one line saying what to do, not a module-resolution stack trace.
if (!existsSync(entry)) {
  process.stderr.write(
    'error: reprune is not built (no dist/): run `npm run build` (npm ci and npm install run it too)\n',
  );
  process.exit(2);
}
await import(entry.href);
