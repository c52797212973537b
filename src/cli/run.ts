/** The executable's entry: run the CLI on this process's arguments. `bin/reprune.js` loads the built copy of this file. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`reprune internal error (please report): ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  },
);
