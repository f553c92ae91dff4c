import type { Tensor } from '@likelihood/core';
import type { Distribution } from '@likelihood/distributions';
import { type Reduction, reduce } from './reduction.js';

/**
 * −log p(y) under any distribution, reduced like every other loss. Each named loss in this
 * package is this function for one distribution (up to constants that do not depend on the model).
 */
export function negativeLogLikelihood(dist: Distribution, y: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  return reduce(dist.logProb(y).neg(), reduction, 'negativeLogLikelihood');
}
