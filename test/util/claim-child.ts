/**
 * A second process for the output-guard tests: claims the output given as argv[2], says `claimed` on stdout and
 * holds the claim until it is signalled or killed.
 *   node --import tsx test/util/claim-child.ts <output>
 */
import { claimOutputs } from '../../src/util/output-guard.js';

claimOutputs([{ path: process.argv[2]! }]);
process.stdout.write('claimed\n');
setInterval(() => {}, 1000);
