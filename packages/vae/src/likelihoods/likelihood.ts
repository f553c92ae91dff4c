import type { Generator, Tensor } from '@likelihood/core';
import type { Distribution } from '@likelihood/distributions';

/**
 * The observation model p_θ(x | z) of a decoder. The decoder outputs `paramsPerValue` numbers
 * per data value, laid out as (N, P, ...dataShape); the likelihood turns them into a
 * distribution with batch [N] and event dataShape. Data enter as pixels in [0, 1].
 */
export interface Likelihood {
  readonly name: string;
  /** P: decoder outputs per data value (1 for Bernoulli logits, 256 for a categorical, ...). */
  readonly paramsPerValue: number;
  /** True when p(x | z) is a probability mass (bits/dim are then code lengths); false for a density. */
  readonly discrete: boolean;
  /** Throws an ArgumentError naming `op` when x is not valid data for this likelihood. */
  validate(op: string, x: Tensor): void;
  /** Data in [0, 1] → the value scored by logProb (pixel levels 0..255 for the 256-level likelihoods). */
  target(x: Tensor): Tensor;
  /** params (N, P, ...dataShape) → a distribution with batch [N] and event dataShape. */
  distribution(params: Tensor): Distribution;
  /**
   * Optional fast path: log p(x | params) summed over the data values, for params
   * (N·S, P, ...dataShape) with S rows per example, example-major (row n·S + s), and data x
   * (N, ...dataShape) in [0, 1]: (N·S). Must equal distribution(params).logProb of target(x)
   * with each example repeated S times. Used when x needs no gradient.
   */
  logProbSum?(params: Tensor, x: Tensor): Tensor;
  /** The distribution's mean as an image in [0, 1], (N, ...dataShape). */
  meanImage(d: Distribution): Tensor;
  /** A sample as an image in [0, 1], (N, ...dataShape). */
  sampleImage(d: Distribution, generator?: Generator): Tensor;
}

/** Slice p of the P axis (dim 1) of decoder params: (N, P, ...) → (N, ...). */
export function paramSlice(params: Tensor, p: number): Tensor {
  return params.narrow(1, p, 1).squeeze(1);
}
