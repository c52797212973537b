/** What the registry knows of `srn` (cheap to import). */
import type { NoOptions, PassSpec } from '../contract.js';

export const SRN_SPEC: PassSpec<NoOptions> = {
  name: 'srn',
  kind: 'reparam',
  summary: 'serialize residual blocks (SRN): BN folded, identity channels carry the shortcut, every layer prunable',
  options: {},
};
