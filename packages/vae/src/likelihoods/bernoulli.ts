import type { Generator, Tensor } from '@likelihood/core';
import { Bernoulli, type Distribution, Independent } from '@likelihood/distributions';
import { checkRange } from '../checks.js';
import { bernoulliLogProbSum } from './bernoulliLogProb.js';
import { type Likelihood, paramSlice } from './likelihood.js';

/**
 * Bernoulli pixels from logits: log p(x | z) = Σ_d x_d·l_d − softplus(l_d). A probability for
 * binarised data; grey values in [0, 1] are accepted (the usual "BCE on grey images"), but then
 * the score is not a normalised likelihood. Values outside [0, 1] are an error.
 */
export function bernoulliLikelihood(): Likelihood {
  return {
    name: 'bernoulli',
    paramsPerValue: 1,
    discrete: true,
    validate: (op, x) => checkRange(op, x, 0, 1, 'a Bernoulli decoder scores pixels in [0, 1] (binarised images)'),
    target: (x) => x,
    distribution(params: Tensor): Distribution {
      const logits = paramSlice(params, 0); // (N, ...dataShape)
      return new Independent(new Bernoulli({ logits }, { validateArgs: false }), logits.ndim - 1, { validateArgs: false });
    },
    logProbSum: (params, x) => bernoulliLogProbSum(params, x),
    meanImage: (d) => d.mean,
    sampleImage: (d, generator?: Generator) => d.sample([], generator).to(d.mean.dtype),
  };
}
