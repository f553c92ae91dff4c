import { ArgumentError, type Generator, type Tensor, clamp, full, softplus } from '@likelihood/core';
import { type Distribution, Independent, Normal } from '@likelihood/distributions';
import { checkRange } from '../checks.js';
import { type Likelihood, paramSlice } from './likelihood.js';

export interface GaussianLikelihoodOptions {
  /**
   * 'learned': the decoder outputs a mean and a raw scale per value, σ = softplus(raw) + minScale.
   * A number: a fixed variance σ² shared by every value (the decoder outputs only the mean).
   * Default 'learned'.
   */
  variance?: 'learned' | number;
  /** Floor on the learned σ, so the density cannot collapse onto a pixel (default 1e-3). */
  minScale?: number;
}

/**
 * Gaussian pixels: x_d ~ N(μ_d, σ_d²). A density, not a probability: bits/dim computed from it
 * are not code lengths (see docs/vae.md). Images shown clamp μ (or the sample) to [0, 1].
 */
export function gaussianLikelihood(opts: GaussianLikelihoodOptions = {}): Likelihood {
  const variance = opts.variance ?? 'learned';
  const minScale = opts.minScale ?? 1e-3;
  if (variance !== 'learned' && !(typeof variance === 'number' && variance > 0 && Number.isFinite(variance))) {
    throw new ArgumentError(`gaussianLikelihood: variance must be 'learned' or a positive number, found ${String(variance)}`);
  }
  if (!(minScale >= 0)) throw new ArgumentError(`gaussianLikelihood: minScale must be ≥ 0, found ${minScale}`);
  const learned = variance === 'learned';
  return {
    name: learned ? 'gaussian(learned variance)' : `gaussian(variance ${variance})`,
    paramsPerValue: learned ? 2 : 1,
    discrete: false,
    validate: (op, x) => checkRange(op, x, -Number.MAX_VALUE, Number.MAX_VALUE, 'a Gaussian decoder needs finite data'),
    target: (x) => x,
    distribution(params: Tensor): Distribution {
      const loc = paramSlice(params, 0); // (N, ...dataShape)
      const scale = learned ? softplus(paramSlice(params, 1)).add(minScale) : full([...loc.shape], Math.sqrt(variance), { dtype: loc.dtype });
      return new Independent(new Normal(loc, scale, { validateArgs: false }), loc.ndim - 1, { validateArgs: false });
    },
    meanImage: (d) => clamp(d.mean, 0, 1),
    sampleImage: (d, generator?: Generator) => clamp(d.sample([], generator), 0, 1),
  };
}
