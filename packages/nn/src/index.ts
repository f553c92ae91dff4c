// @likelihood/nn public API.
export { Parameter } from './parameter.js';
export { Module } from './module.js';
export type { StateDict, LoadStateDictOptions, LoadStateDictResult } from './module.js';
export { ModuleList, Sequential } from './containers.js';
export { StateDictError, CheckpointError } from './errors.js';
export * as init from './init.js';
export * from './layers/index.js';
export { scaledDotProductAttention } from './attention/sdpa.js';
export type { AttentionOptions } from './attention/sdpa.js';
export { CausalSelfAttention } from './attention/causalSelfAttention.js';
export type { CausalSelfAttentionOptions } from './attention/causalSelfAttention.js';
export { KVCache } from './attention/kvCache.js';
export { sinusoidalEmbedding, SinusoidalEmbedding } from './timeEmbedding.js';
export type { SinusoidalOptions } from './timeEmbedding.js';
export { UNet, UNetStage } from './unet/unet.js';
export type { UNetOptions } from './unet/unet.js';
export { ResBlock, AttentionBlock, Downsample, Upsample } from './unet/blocks.js';
export { Optimizer, SGD, Adam, AdamW, RMSprop, LBFGS } from './optim/index.js';
export type {
  OptimizerStateDict, ParamGroup, ParamGroupSpec, Params, Closure, ParamState, StateValue, EncodedTensor,
  SGDOptions, AdamOptions, AdamWOptions, RMSpropOptions, LBFGSOptions,
} from './optim/index.js';
export { LRScheduler, StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, LambdaLR, SequentialLR, warmupCosine } from './optim/index.js';
export type { SchedulerStateDict, WarmupCosineOptions } from './optim/index.js';
export { clipGradNorm_, clipGradValue_, EMA } from './optim/index.js';
export type { EMAOptions, EMAStateDict, EMAWarmup } from './optim/index.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export type { DecodedSafetensors, SafetensorsDType } from './io/safetensors.js';
export { encodeCheckpoint, applyCheckpoint, restoreGenerator, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './io/checkpoint-format.js';
export type { SaveCheckpointOptions, LoadCheckpointOptions, CheckpointInfo, StatefulOptimizer } from './io/checkpoint-format.js';
// File I/O (node:fs) lives in '@likelihood/nn/node' so this entry stays browser-safe.
