import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, ShapeError, type Tensor, clamp, log, noGrad, square } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import { type Reduction, reduce } from './reduction.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Mean squared error: the Gaussian NLL with unit variance, without its constant.
 * −log N(y | x, 1) = ½(y − x)² + ½log 2π, so mse = 2·(NLL − ½log 2π) per element.
 */
export function mse(input: Tensor, target: Tensor, { reduction = 'mean' }: { reduction?: Reduction } = {}): Tensor {
  sameShape('mse', input, target);
  floatInput('mse', input, 'input');
  return reduce(square(input.sub(target)), reduction, 'mse');
}

export interface GaussianNllOptions {
  /** Add the constant ½log 2π (torch's `full`). */
  full?: boolean;
  /** Variances are clamped below at eps for stability; the gradient passes as if unclamped, as torch. */
  eps?: number;
  reduction?: Reduction;
}

/**
 * Heteroscedastic Gaussian NLL (torch.nn.functional.gaussian_nll_loss):
 * ½(log max(var, eps) + (input − target)² / max(var, eps)) [+ ½log 2π].
 * `variance` has input's shape, or input's shape with the last dim 1 or dropped (broadcast).
 */
export function gaussianNll(input: Tensor, target: Tensor, variance: Tensor, opts: GaussianNllOptions = {}): Tensor {
  const { full = false, eps = 1e-6, reduction = 'mean' } = opts;
  sameShape('gaussianNll', input, target);
  floatInput('gaussianNll', input, 'input');
  let v = variance;
  if (v.ndim === input.ndim - 1 && v.shape.every((d, i) => d === input.shape[i])) {
    v = v.reshape([...v.shape, 1]); // (..., 1): one variance per row, as torch
  } else if (!(v.ndim === input.ndim && v.shape.every((d, i) => d === input.shape[i] || (i === v.ndim - 1 && d === 1)))) {
    throw new ShapeError(`gaussianNll: variance shape ${fmt(variance.shape)} must equal input shape ${fmt(input.shape)}, or it with the last dim 1 or dropped`);
  }
  const negative = noGrad(() => v.lt(0).sum().item() > 0);
  if (negative) throw new ArgumentError('gaussianNll: variance has negative entries; expected variance >= 0');
  // torch clamps in place under no_grad: the value is clamped, the gradient is the unclamped one.
  const vc = v.add(noGrad(() => clamp(v, eps).sub(v)));
  let loss = log(vc).add(square(input.sub(target)).div(vc)).mul(0.5);
  if (full) loss = loss.add(HALF_LOG_2PI);
  return reduce(loss, reduction, 'gaussianNll');
}
