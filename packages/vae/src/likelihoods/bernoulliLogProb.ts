import { type Tensor, abs, exp, log, matmul, maximum, noGrad, withCustomGrad } from '@likelihood/core';

/**
 * Σ_d x_d·l_d − softplus(l_d) over the data values, for logits (N·S, 1, ...dataShape) holding S
 * rows per example, example-major (row n·S + s), and x (N, ...dataShape): (N·S). The same number
 * as `Independent(Bernoulli({logits}), …).logProb` of x repeated S times, in about a third of the
 * passes over the N·S·D values:
 *
 * - softplus(l) = max(l, 0) + log(1 + e^{−|l|}) (exact and finite for every l; log(1 + u) for
 *   u ∈ (0, 1] instead of log1p's accurate-for-tiny-u composite, which changes the result by at
 *   most one rounding of 1 + u, i.e. < ε/2 ≈ 6e-8 per value in float32, 1.1e-16 in float64);
 * - x is never repeated: Σ_d x_d·l_d is a same-shape product for S = 1 and, for S > 1, one batched
 *   matrix-vector product (N, S, D)·(N, D, 1);
 * - the gradient is written directly, ∂/∂l = g·(x − σ(l)) with σ(l) = e^{l − softplus(l)}, instead
 *   of the chain rule through the composite's dozen ops.
 *
 * x is data: it gets no gradient (the general path in reconstructionLogProb handles an x that
 * requires one).
 */
export function bernoulliLogProbSum(logits: Tensor, x: Tensor): Tensor {
  const n = x.shape[0]!;
  const d = x.numel() / n;
  const s = logits.shape[0]! / n;
  const l = s === 1 ? logits.reshape([n, d]) : logits.reshape([n, s, d]); // (N, D) or (N, S, D)
  const xf = x.reshape([n, d]); // (N, D)
  const sp = noGrad(() => maximum(l, 0).add(log(exp(abs(l).neg()).add(1)))); // softplus(l)
  const value = noGrad(() => {
    const xl = s === 1 ? xf.mul(l).sum(-1) : matmul(l, xf.reshape([n, d, 1])).reshape([n, s]); // Σ_d x_d·l_d: (N) or (N, S)
    return xl.sub(sp.sum(-1)).reshape([n * s]); // (N·S)
  });
  return withCustomGrad('bernoulliLogProbSum', [logits], value, (g) => {
    const sigma = exp(l.detach().sub(sp)); // σ(l), shaped like l
    const xs = s === 1 ? xf : xf.reshape([n, 1, d]); // broadcast over the S rows
    const perRow = s === 1 ? g.reshape([n, 1]) : g.reshape([n, s, 1]);
    return [xs.sub(sigma).mul(perRow).reshape([...logits.shape])];
  });
}
