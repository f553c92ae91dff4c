import { type Tensor, exp, log, where } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import { type Reduction, reduce } from './reduction.js';

export interface PoissonNllOptions {
  /** The input is log λ (default), else λ itself. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(y!) for y > 1, as torch's `full`. */
  full?: boolean;
  /** Added to λ inside the log when logInput is false. */
  eps?: number;
  reduction?: Reduction;
}

/**
 * Poisson NLL (torch.nn.functional.poisson_nll_loss): −log Poisson(y | λ) = λ − y log λ + log y!.
 * Without `full` the log y! term is dropped (it does not depend on the model).
 */
export function poissonNll(input: Tensor, target: Tensor, opts: PoissonNllOptions = {}): Tensor {
  const { logInput = true, full = false, eps = 1e-8, reduction = 'mean' } = opts;
  sameShape('poissonNll', input, target);
  floatInput('poissonNll', input, 'input');
  let loss = logInput ? exp(input).sub(target.mul(input)) : input.sub(target.mul(log(input.add(eps))));
  if (full) {
    // y log y − y + ½ log(2π y), only where y > 1 (torch's convention)
    const safe = where(target.gt(1), target, 1);
    const stirling = safe.mul(log(safe)).sub(safe).add(log(safe.mul(2 * Math.PI)).mul(0.5));
    loss = loss.add(where(target.gt(1), stirling, 0));
  }
  return reduce(loss, reduction, 'poissonNll');
}
