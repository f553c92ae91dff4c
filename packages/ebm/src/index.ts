// @likelihood/ebm public API.
export { RBMBase } from './rbmBase.js';
export type { RBMOptions, GibbsOptions, GibbsResult } from './rbmBase.js';
export { BernoulliRBM } from './bernoulliRbm.js';
export { GaussianBernoulliRBM } from './gaussianBernoulliRbm.js';
export type { GaussianRBMOptions } from './gaussianBernoulliRbm.js';
export { binaryStates, logSumExpOverStates } from './enumerate.js';
export type { EnumerateOptions } from './enumerate.js';
export { MAX_ENUMERATION_UNITS } from './checks.js';
export { ais, baseRateVisibleBias, summariseLogWeights } from './ais.js';
export type { AISOptions, AISResult } from './ais.js';
export { linearSchedule, salakhutdinovMurraySchedule, sigmoidSchedule } from './schedules.js';
