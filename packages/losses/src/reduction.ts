import { ArgumentError, type Tensor } from '@likelihood/core';

export type Reduction = 'none' | 'mean' | 'sum';

export function checkReduction(op: string, reduction: string): asserts reduction is Reduction {
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new ArgumentError(`${op}: reduction must be 'none', 'mean' or 'sum', found '${reduction}'`);
  }
}

/** Applies a PyTorch reduction to per-element losses. */
export function reduce(loss: Tensor, reduction: Reduction, op: string): Tensor {
  checkReduction(op, reduction);
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}
