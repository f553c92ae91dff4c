// Every loss is the negative log-likelihood of a distribution (see README).
export { mse, gaussianNll } from './gaussian.js';
export type { GaussianNllOptions } from './gaussian.js';
export { l1 } from './laplace.js';
export { huber, smoothL1 } from './robust.js';
export { bce, bceWithLogits } from './bernoulli.js';
export type { BceOptions, BceWithLogitsOptions } from './bernoulli.js';
export { crossEntropy, nll } from './categorical.js';
export type { CrossEntropyOptions, NllOptions } from './categorical.js';
export { poissonNll } from './poisson.js';
export type { PoissonNllOptions } from './poisson.js';
export { klDiv } from './kl.js';
export type { KlDivOptions } from './kl.js';
export type { Reduction } from './reduction.js';
export { negativeLogLikelihood } from './generic.js';
