/** Data layer: file formats, datasets, sources and batching. */
export { readIdx, parseIdx, writeIdx, encodeIdx, type IdxArray, type IdxData, type IdxType } from './idx.js';
export { readNpy, parseNpy, writeNpy, encodeNpy, type NpyArray, type NpyData, type NpyDtype } from './npy.js';
export {
  buildDataset,
  subset,
  take,
  sampleSizeOf,
  type Dataset,
  type Normalize,
  type RawSplit,
  type BuildOptions,
} from './dataset.js';
export {
  loadDataset,
  clearDatasetCache,
  findSplitFiles,
  mnistDir,
  fashionMnistDir,
  FASHION_MNIST_DIR,
  type LoadOptions,
  type Split,
} from './sources.js';
export {
  batches,
  epochOrder,
  epochRng,
  numBatches,
  augmentInto,
  type Augment,
  type Batch,
  type BatchOptions,
} from './loader.js';
export { layoutFor, parseNormalize, type InputDim } from './fit.js';
