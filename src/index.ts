/**
 * reprune as a library: everything the CLI does, importable.
 *
 * @example
 * import { loadOnnx, saveOnnx, loadDataset, evaluate, prune, reparam } from 'reprune';
 * const g = loadOnnx('lenet5.onnx');
 * const test = loadDataset('mnist', 'test');
 * const permuted = (await reparam(g, { transform: 'tiletrans' })).graph;    // same function, tiles easier to prune
 * const { graph } = await prune(permuted, { method: 'tile', sparsity: 0.7, tile: '32x32' });
 * console.log((await evaluate(graph, test)).accuracy);
 * saveOnnx(graph, 'lenet5-tiled.onnx');
 *
 * Conventions: every function that transforms a model returns a new graph and leaves its input alone. Problems a
 * user can fix throw `ReproError` with a one-line message.
 */

// Models: the IR, ONNX files, the model zoo.
export { Graph, type Node, type ValueInfo, type Dim } from './ir/graph.js';
export { type Tensor, f32, i64, numel } from './ir/tensor.js';
export { inferShapes, shapeOf, bindInputDims, parseShapeList, type InputBinding } from './ir/shape/index.js';
/**
 * `await prepareModel(g, { inputShape: [1, 3, 224, 224] })`: bind symbolic input dims and learn the shapes of ops
 * reprune has no rule for from ONNX Runtime — what every CLI command does to a model it loads.
 */
export {
  prepareModel,
  completeShapes,
  type PreparedModel,
  type PrepareOptions,
  type ShapeCompletion,
} from './runtime/shapes.js';
export { unshareInitializers } from './analysis/unshare.js';
export { loadOnnx, loadModelChecked, saveOnnx, encodeModel, decodeModel } from './onnx/index.js';
export { buildModel, ZOO_ARCHS, type ZooArch } from './models/index.js';
/** `trainedModel('lenet5')`: train with the architecture's recipe once, then reuse `.cache/models/`. */
export { trainedModel, type TrainedOptions } from './models/trained.js';

// Data, evaluation, training.
export { loadDataset, loadDatasetAsync, type LoadOptions, type ImageOptions } from './data/sources.js';
/**
 * A split shaped for a model: image folders (`DIR/{train,test}/<class>/*.png|jpg`) and CSV lists are converted to
 * the model's input channels and size; IDX and .npy load as they are.
 * @example
 * const photos = await loadDataFor(g, 'photos/', 'test', { normalize: parseNormalizeSpec('imagenet') });
 */
export { loadDataFor, inputTarget } from './api/data.js';
export { parseNormalizeSpec, NORMALIZE_PRESETS, type ChannelNormalize } from './data/normalize.js';
export { transformFor, transformImage, type ImageTransformSpec, type TargetShape } from './data/image-transform.js';
export { decodeImage, encodeImage, type DecodedImage } from './data/image-decode.js';
export { type Dataset, take, subset } from './data/dataset.js';
export { batches } from './data/loader.js';
export { evaluate, type EvalResult } from './runtime/evaluate.js';
export { compile, setRuntimeDefaults, type RuntimeOptions } from './runtime/session.js';
/**
 * `trainModel(graph, dataset, { epochs, batchSize, lr, ... })` trains a copy of `graph` with reprune's own
 * autodiff on ONNX Runtime. `train` is the same function.
 * @example
 * const { graph } = await trainModel(buildModel('lenet5'), loadDataset('mnist', 'train'), { epochs: 1, batchSize: 128, lr: 0.05 });
 */
export {
  trainModel,
  trainModel as train,
  type TrainOptions,
  type TrainResult,
  type TrainHooks,
} from './train/index.js';

// Compression methods: the registry of passes, the one-call facades, and plans that replay.
export {
  prune,
  pruneSteps,
  type PruneOptions,
  type PruneResult,
  type TilePruneApiOptions,
  type StructuredPruneApiOptions,
  type TileSummary,
  type StructuredSummary,
} from './api/prune.js';
export {
  reparam,
  REPARAM_TRANSFORMS,
  type ReparamOptions,
  type ReparamResult,
  type ReparamTransform,
} from './api/reparam.js';
/**
 * Every method is a registered pass: `plan(graph, options, ctx)` returns plain JSON, `apply(graph, plan, ctx)` a
 * new graph. `runPass` does both; `applyPlan` replays a saved plan file on the model it was made for.
 * @example
 * const r = await runPass('channels', g, { criterion: 'reap', ratio: 0.3 }, { data: loadDataset('mnist', 'train', { limit: 2000 }) });
 * const again = await applyPlan(g, planFile(g, [r.plan]));
 */
export {
  runPass,
  planPass,
  applyPlan,
  passSpecs,
  passSpec,
  passNames,
  resolveOptions,
  runPipeline,
  replayPlans,
  planFile,
  readPlanFile,
  type RunPassResult,
  type PipelineResult,
  type PipelineStep,
  type PlanFile,
  type StepReport,
  type Pass,
  type PassSpec,
  type PassKind,
  type PassContext,
  type PassResult,
  type PlanHeader,
  type OptionSpec,
  type OptionSchema,
  type NoOptions,
  type AnyPass,
} from './api/passes.js';
/**
 * Micro-structured weight unification and pruning, one-shot + retraining or ADMM (`mode`; also the pass 'unify').
 * @example
 * const r = await unifyModel(g, trainDs, { block: { bh: 1, bw: 4 }, unify: 0.5, prune: 0.3, scope: 'layer', admmRounds: 2 });
 * console.log(r.accounting.bits / r.accounting.denseBits);
 */
export { unifyModel, type UnifyOptions, type UnifyResult } from './passes/unify/admm.js';
export { parseBlock, type BlockShape } from './passes/unify/blocks.js';
/**
 * Fine-tune a structurally pruned model, optionally with LOP (expand → train → merge) and SP-KD from a teacher
 * (also the pass 'finetune').
 * @example
 * const r = await lopFinetune(pruned, trainDs, { lop: true, expand: 2, teacher: dense, epochs: 1, batchSize: 128, lr: 0.003 });
 */
export { lopFinetune, type LopFinetuneOptions, type LopFinetuneResult } from './passes/lop/finetune.js';
/**
 * TEDEPR on any model: tensor-train layers, pruned at initialization, trained from scratch with the mask fixed
 * (also the pass 'tedepr').
 * @example
 * const r = await tedepr(loadOnnx('mlp.onnx'), train, test, { sparsity: 0.99, score: 'synflow', ttRank: 'auto', epochs: 3 });
 */
export {
  runTedepr as tedepr,
  runTedepr,
  planTedepr,
  trainTedepr,
  type TedeprOptions,
  type TedeprResult,
  type TedeprDecision,
} from './passes/tedepr/pipeline.js';
export { SCORE_KINDS, type ScoreKind } from './passes/pai/index.js';
// Lower-level building blocks behind the passes (each returns a new graph; inputs are never modified).
export {
  tileTrans,
  applyPermutations,
  type TileTransOptions,
  type TileTransResult,
  type GroupPermutation,
} from './passes/tiletrans/index.js';
export { planTilePrune, applyTileMasks, tilePrune, type TilePruneOptions, type TilePlan } from './passes/tile/prune.js';
export { lowerTileSparse, type LoweredLayer } from './passes/tile/lower.js';
export { pruneStructured, selectChannels, cutChannels, type StructuredOptions } from './passes/cut/prune.js';
export { runPro, type ProOptions } from './passes/schedule/pro.js';
export { groupGrams } from './passes/cut/behaviours.js';
export { foldBatchNorm } from './passes/foldbn/index.js';
export { serializeResiduals } from './passes/srn/index.js';
export { lopExpand } from './passes/lop/expand.js';
export { lopMerge } from './passes/lop/merge.js';
export { ttConvert } from './passes/tt/convert.js';
export { channelGroups, groupKey, type ChannelGroup } from './analysis/coupling.js';
export { graphFingerprint } from './ir/fingerprint.js';

/**
 * Recipes: a pipeline (model, data, steps = registered passes + export) in YAML or JSON.
 * @example
 * const r = await runRecipe(loadRecipe('recipe.yaml'));   // every intermediate model and report.html
 */
export { loadRecipe, parseRecipe, type PipelineRecipe, type RecipeData, type RecipeStep } from './api/recipe.js';
export { recipeYaml, type RecipeStepSource } from './api/recipe-yaml.js';
export { runRecipe, type RunRecipeOptions, type RecipeRunResult } from './api/recipe-run.js';

// Measuring and reporting.
export { modelMetrics, type ModelMetrics, type LayerMetrics } from './analysis/metrics.js';
export { measureLatency, type LatencyOptions } from './report/latency.js';
export { buildReportHtml, summaryText } from './report/html.js';
export { loadResults } from './report/load.js';
export type {
  RunResults,
  MethodResult,
  CurvePoint,
  Heatmap,
  ScalingPoint,
  OutputCheck,
  ModelChanges,
  LayerChange,
} from './report/schema.js';
export { measureModel } from './report/measure.js';
export { collectLogits, compareLogits, outputCheck, modelChanges } from './report/output-check.js';
/** Everything `reprune demo` does, as one call. */
export { runDemo, type DemoOptions } from './demo/run.js';
export { ReproError } from './util/errors.js';
