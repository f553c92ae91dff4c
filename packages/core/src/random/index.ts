export { Generator, manualSeed, defaultGenerator } from './generator.js';
export type { GeneratorState } from './generator.js';
export {
  rand, randn, randLike, randnLike, uniform, normal, randint, randperm, bernoulli, multinomial, gamma, poisson,
} from './sample.js';
export type { RandomOptions } from './sample.js';
export { philox4x32 } from './philox.js';
