export { Distribution, NotImplementedError, setDefaultValidateArgs } from './distribution.js';
export type { DistributionOptions } from './distribution.js';
export * as constraints from './constraints.js';
export type { Constraint } from './constraints.js';
export { klDivergence, klMonteCarlo, registerKL, KLNotImplementedError } from './kl.js';
export { Normal } from './normal.js';
export { Bernoulli } from './bernoulli.js';
export { Categorical } from './categorical.js';
export type { ProbsOrLogits } from './params.js';
