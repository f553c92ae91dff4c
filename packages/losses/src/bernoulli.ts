import { ArgumentError, type Tensor, abs, binaryCrossEntropyWithLogits, clamp, exp, isnan, log, log1p, logicalOr, maximum, noGrad, withCustomGrad, zerosLike } from '@likelihood/core';
import { floatInput, sameShape } from './checks.js';
import { type Reduction, reduce } from './reduction.js';

const BCE_EPS = Math.fround(1e-12);

export interface BceOptions {
  /** Rescales each element's loss (broadcast to the input). */
  weight?: Tensor;
  reduction?: Reduction;
}

/**
 * Binary cross-entropy on probabilities: the Bernoulli NLL −[y log p + (1 − y) log(1 − p)],
 * with each log clamped at −100 as PyTorch does so p = 0 or 1 stays finite.
 * Prefer `bceWithLogits`, which is exact for any logits.
 */
export function bce(input: Tensor, target: Tensor, { weight, reduction = 'mean' }: BceOptions = {}): Tensor {
  sameShape('bce', input, target);
  floatInput('bce', input, 'input');
  const bad = noGrad(() => logicalOr(logicalOr(input.lt(0), input.gt(1)), isnan(input)).sum().item() > 0);
  if (bad) throw new ArgumentError('bce: input holds values outside [0, 1]; expected probabilities (use bceWithLogits for logits)');
  const lp = noGrad(() => clamp(log(input), -100));
  const lq = noGrad(() => clamp(log(input.neg().add(1)), -100));
  const value = noGrad(() => target.mul(lp).add(target.neg().add(1).mul(lq)).neg());
  // torch's gradient: (p − y) / max(p(1 − p), ε), finite at p = 0 and 1; torch's ε is 1e-12 rounded to float32.
  let loss = withCustomGrad('bce', [input, target], value, (g) => [
    g.mul(input.sub(target)).div(clamp(input.mul(input.neg().add(1)), BCE_EPS)),
    g.mul(lq.sub(lp)),
  ]);
  if (weight) loss = loss.mul(weight);
  return reduce(loss, reduction, 'bce');
}

export interface BceWithLogitsOptions extends BceOptions {
  /** Weight of positive examples, broadcast along the last (class) dim, as torch's pos_weight. */
  posWeight?: Tensor;
}

/**
 * The Bernoulli NLL with p = sigmoid(x): (1 − y)x + (1 + (w₊ − 1)y)·log(1 + e^{−x}), written as
 * max(−x, 0) + log1p(e^{−|x|}) so it is exact and finite for every finite logit.
 */
export function bceWithLogits(input: Tensor, target: Tensor, { weight, posWeight, reduction = 'mean' }: BceWithLogitsOptions = {}): Tensor {
  sameShape('bceWithLogits', input, target);
  floatInput('bceWithLogits', input, 'input');
  let loss: Tensor;
  if (posWeight) {
    const softplusNeg = maximum(input.neg(), zerosLike(input)).add(log1p(exp(abs(input).neg()))); // log(1 + e^{−x})
    const logWeight = posWeight.sub(1).mul(target).add(1);
    loss = target.neg().add(1).mul(input).add(logWeight.mul(softplusNeg));
  } else {
    loss = binaryCrossEntropyWithLogits(input, target.to(input.dtype)); // core's fused loop (to() is a no-op for the same dtype)
  }
  if (weight) loss = loss.mul(weight);
  return reduce(loss, reduction, 'bceWithLogits');
}
