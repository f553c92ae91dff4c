import { type Tensor, softplus } from '@likelihood/core';
import { Independent, Normal } from '@likelihood/distributions';

/**
 * The encoder head: h (N, 2·D) → q(z | x) = Independent(Normal(μ, σ), 1) with batch [N] and
 * event [D]. μ is the first half of h; σ = softplus(second half) + minScale, which stays
 * positive without the exp overflow of a log-variance head.
 */
export function diagonalNormal(h: Tensor, latentDim: number, minScale: number): Independent {
  const loc = h.narrow(-1, 0, latentDim); // (N, D)
  const scale = softplus(h.narrow(-1, latentDim, latentDim)).add(minScale); // (N, D)
  return new Independent(new Normal(loc, scale, { validateArgs: false }), 1, { validateArgs: false });
}
