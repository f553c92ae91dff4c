import { type Tensor, abs, exp, log, maximum, noGrad, withCustomGrad } from '@likelihood/core';

/**
 * Σ_d x_d·l_d − softplus(l_d) over the data values, for logits (S·N, 1, ...dataShape) and x
 * (N, ...dataShape) scored against each of the S draws: (S·N). The same number as
 * `Independent(Bernoulli({logits}), …).logProb(x tiled S times)`, in about a third of the
 * passes over the S·N·D values:
 *
 * - softplus(l) = max(l, 0) + log(1 + e^{−|l|}) (exact and finite for every l; log(1 + u) for
 *   u ∈ (0, 1] instead of log1p's accurate-for-tiny-u composite, which changes the result by at
 *   most one rounding of 1 + u, i.e. < ε/2 ≈ 6e-8 per value in float32, 1.1e-16 in float64);
 * - the gradient is written directly, ∂/∂l = g·(x − σ(l)) with σ(l) = e^{l − softplus(l)}, instead
 *   of the chain rule through the composite's dozen ops, and x is not tiled.
 *
 * x is data: it gets no gradient (the general path in reconstructionLogProb handles an x that
 * requires one).
 */
export function bernoulliLogProbSum(logits: Tensor, x: Tensor): Tensor {
  const n = x.shape[0]!;
  const d = x.numel() / n;
  const s = logits.shape[0]! / n;
  const l = s === 1 ? logits.reshape([n, d]) : logits.reshape([s, n, d]); // (N, D) or (S, N, D)
  const xf = x.reshape([n, d]); // (N, D), broadcast over S
  const sp = noGrad(() => maximum(l, 0).add(log(exp(abs(l).neg()).add(1)))); // softplus(l)
  const value = noGrad(() => xf.mul(l).sub(sp).sum(-1).reshape([s * n])); // (S·N)
  return withCustomGrad('bernoulliLogProbSum', [logits], value, (g) => {
    const sigma = exp(l.detach().sub(sp)); // σ(l), same shape as l
    const perSample = s === 1 ? g.reshape([n, 1]) : g.reshape([s, n, 1]);
    return [xf.sub(sigma).mul(perSample).reshape([...logits.shape])];
  });
}
