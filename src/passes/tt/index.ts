/** Tensor-train (and tensor-ring) layers: factorization, initialization, ONNX emission, model conversion. */
export { balancedFactors, chooseTtShape, type TtShape } from './factorize.js';
export {
  coreDims,
  describeSpec,
  makeTtSpec,
  ttParamCount,
  ttRanks,
  ttRows,
  ttCols,
  type RankOptions,
  type TtSpec,
} from './spec.js';
export { pathCount, permute, randomCores, reconstructDense, ttSvd } from './cores.js';
export { emitTtChain, emitTtReconstruct } from './emit.js';
export {
  ttConvert,
  ttLayersOf,
  TT_METADATA_KEY,
  type TtConvertOptions,
  type TtForm,
  type TtLayer,
} from './convert.js';
export { chooseFcForms, type FormChoice } from './choose-form.js';
export { denseWeightOf, densify } from './densify.js';
