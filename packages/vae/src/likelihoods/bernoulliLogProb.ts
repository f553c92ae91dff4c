import { type Tensor, binaryCrossEntropyWithLogitsSum } from '@likelihood/core';

/**
 * Σ_d x_d·l_d − softplus(l_d) over the data values, for logits (N·S, 1, ...dataShape) holding S
 * rows per example, example-major (row n·S + s), and x (N, ...dataShape): (N·S). The same number
 * as `Independent(Bernoulli({logits}), …).logProb` of x repeated S times, through core's fused
 * `binaryCrossEntropyWithLogitsSum` (one loop each way that sums each row as it goes; gradient
 * σ(l) − x written directly) instead of the distribution's chain of elementwise ops.
 *
 * x is data: it gets no gradient (the general path in reconstructionLogProb handles an x that
 * requires one).
 */
export function bernoulliLogProbSum(logits: Tensor, x: Tensor): Tensor {
  const n = x.shape[0]!;
  const d = x.numel() / n;
  const s = logits.shape[0]! / n;
  const l = logits.reshape([n, s, d]); // (N, S, D)
  const xs = x.detach().reshape([n, 1, d]); // (N, 1, D)
  const nll = binaryCrossEntropyWithLogitsSum(l, xs.expand([n, s, d])); // (N, S); x repeated over the S rows (no copy for S = 1)
  return nll.neg().reshape([n * s]); // (N·S)
}
