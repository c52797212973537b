/** What the registry knows of `fold-bn` (cheap to import). */
import type { NoOptions, PassSpec } from '../contract.js';

export const FOLD_BN_SPEC: PassSpec<NoOptions> = {
  name: 'fold-bn',
  kind: 'reparam',
  summary: 'fold inference-mode BatchNormalization into the Conv/Gemm before it',
  options: {},
};
