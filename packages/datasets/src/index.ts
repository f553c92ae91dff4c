// @likelihood/datasets public API. Nothing here downloads anything.
export * from './browser.js';
export { gunzip, readBytes } from './gzip.js';
export { loadIdx, readIdx } from './loadIdx.js';
export { loadText, loadCsv } from './text.js';
export { findSharedData, findRepoRoot } from './shared.js';
export { loadMnist, mnistDataPackageDir } from './mnist.js';
export { englishFirstNames, loadWords, wordContexts } from './names.js';
export type { FirstNamesOptions } from './names.js';
