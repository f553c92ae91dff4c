// @likelihood/nn public API.
export { Parameter } from './parameter.js';
export { Module } from './module.js';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult } from './module.js';
export { ModuleList, Sequential } from './containers.js';
export { StateDictError, CheckpointError } from './errors.js';
