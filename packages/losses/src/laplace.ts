import { type Tensor, abs } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import { type Reduction, reduce } from './reduction.js';

/**
 * Mean absolute error: the Laplace NLL with unit scale, without its constant.
 * −log Laplace(y | x, 1) = |y − x| + log 2.
 */
export function l1(input: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  sameShape('l1', input, target);
  floatInput('l1', input, 'input');
  return reduce(abs(input.sub(target)), reduction, 'l1');
}
