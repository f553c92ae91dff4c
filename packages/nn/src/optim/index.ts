// Optimizers, LR schedules, gradient clipping and parameter EMA (torch.optim semantics).
export { Optimizer, encodeTensor, decodeTensor } from './optimizer.js';
export type {
  Closure,
  EncodedTensor,
  EncodedValue,
  HyperValue,
  OptimizerStateDict,
  ParamGroup,
  ParamGroupSpec,
  ParamState,
  Params,
  StateValue,
} from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamOptions, AdamWOptions } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { LBFGS } from './lbfgs.js';
export type { LBFGSOptions } from './lbfgs.js';
export { LRScheduler, StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, LambdaLR, SequentialLR, warmupCosine } from './schedules.js';
export type { SchedulerStateDict, WarmupCosineOptions } from './schedules.js';
export { clipGradNorm_, clipGradValue_ } from './clip.js';
export { EMA } from './ema.js';
export type { EMAOptions, EMAStateDict, EMAWarmup } from './ema.js';
