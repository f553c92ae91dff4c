// The parts of @likelihood/datasets with no node imports (usable in browsers):
// `import ... from '@likelihood/datasets/browser'`.
export { parseIdx, encodeIdx, idxToTensor, isGzip, IDX_TYPES } from './idx.js';
export type { IdxArray, IdxData, IdxDType, ParseIdxOptions } from './idx.js';
export { mnistFromIdx, FASHION_MNIST_CLASSES } from './mnistIdx.js';
export type { Mnist, MnistKind, MnistOptions, MnistSplit } from './mnistIdx.js';
export { parseCsv, csvToTensor } from './csv.js';
export type { CsvOptions, CsvTable, CsvTensorOptions } from './csv.js';
export { CharDataset } from './charDataset.js';
export type { CharDatasetOptions, CharSplit } from './charDataset.js';
export { DataLoader, trainValSplit } from './loader.js';
export type { DataLoaderOptions } from './loader.js';
export * from './toy2d/index.js';
export { binarize, stochasticBinarize, dequantize, logitTransform, inverseLogitTransform } from './preprocess.js';
export type { DequantizeOptions, LogitResult } from './preprocess.js';
