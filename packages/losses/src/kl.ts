import { ArgumentError, type Tensor, exp, log, where } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import type { Reduction } from './reduction.js';

export interface KlDivOptions {
  /** 'batchmean' divides the sum by the batch size (input.shape[0]): the true KL per example. */
  reduction?: Reduction | 'batchmean';
  /** The target is given as log-probabilities. */
  logTarget?: boolean;
}

/**
 * KL(target ‖ model) pointwise, with the model given as log-probabilities `input`
 * (torch.nn.functional.kl_div): target·(log target − input), with 0·log 0 = 0.
 * Its `mean` reduction averages over every element, as torch; use 'batchmean' for the KL.
 */
export function klDiv(input: Tensor, target: Tensor, { reduction = 'mean', logTarget = false }: KlDivOptions = {}): Tensor {
  sameShape('klDiv', input, target);
  floatInput('klDiv', input, 'input');
  const loss = logTarget
    ? exp(target).mul(target.sub(input))
    : where(target.gt(0), target.mul(log(where(target.gt(0), target, 1))), 0).sub(target.mul(input)); // xlogy(t, t) − t·input
  switch (reduction) {
    case 'none':
      return loss;
    case 'sum':
      return loss.sum();
    case 'mean':
      return loss.mean();
    case 'batchmean':
      return loss.sum().div(input.ndim > 0 ? input.shape[0]! : 1);
    default:
      throw new ArgumentError(`klDiv: reduction must be 'none', 'mean', 'sum' or 'batchmean', found '${reduction}'`);
  }
}
