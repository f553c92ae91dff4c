import { ArgumentError, type Tensor, abs, where } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import { type Reduction, reduce } from './reduction.js';

/**
 * Huber loss: ½d² for |d| < delta, delta(|d| − ½delta) beyond. It is the NLL (up to a constant)
 * of the density ∝ exp(−huber(d)), Gaussian in the middle with Laplace tails.
 */
export function huber(input: Tensor, target: Tensor, { delta = 1, reduction = 'mean' }: { delta?: number; reduction?: Reduction } = {}): Tensor {
  sameShape('huber', input, target);
  floatInput('huber', input, 'input');
  if (!(delta > 0)) throw new ArgumentError(`huber: delta must be > 0, found ${delta}`);
  const d = input.sub(target);
  const a = abs(d);
  return reduce(where(a.lt(delta), d.mul(d).mul(0.5), a.sub(0.5 * delta).mul(delta)), reduction, 'huber');
}

/** Smooth L1: huber(d, beta) / beta; beta = 0 gives l1 (torch.nn.functional.smooth_l1_loss). */
export function smoothL1(input: Tensor, target: Tensor, { beta = 1, reduction = 'mean' }: { beta?: number; reduction?: Reduction } = {}): Tensor {
  sameShape('smoothL1', input, target);
  floatInput('smoothL1', input, 'input');
  if (!(beta >= 0)) throw new ArgumentError(`smoothL1: beta must be >= 0, found ${beta}`);
  const d = input.sub(target);
  const a = abs(d);
  if (beta === 0) return reduce(a, reduction, 'smoothL1');
  return reduce(where(a.lt(beta), d.mul(d).mul(0.5 / beta), a.sub(0.5 * beta)), reduction, 'smoothL1');
}
