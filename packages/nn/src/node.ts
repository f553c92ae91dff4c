// @likelihood/nn/node: file I/O with node:fs (atomic writes). Everything else is in '@likelihood/nn'.
export { saveSafetensors, loadSafetensors, writeFileAtomic } from './io/files.js';
export { saveCheckpoint, loadCheckpoint } from './io/checkpoint.js';
