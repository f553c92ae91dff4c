import { type Tensor, type TensorLike, clamp, erf, full, log, where } from '@likelihood/core';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * KL(N(μ₁, e^{ℓ₁}) ‖ N(μ₂, e^{ℓ₂})) elementwise, with variances given as logs:
 * ½(−1 + ℓ₂ − ℓ₁ + e^{ℓ₁−ℓ₂} + (μ₁ − μ₂)² e^{−ℓ₂}).
 */
export function normalKl(mean1: Tensor, logvar1: TensorLike, mean2: TensorLike, logvar2: TensorLike): Tensor {
  const asT = (v: TensorLike) => (typeof v === 'number' ? full([], v, { dtype: mean1.dtype }) : v);
  const [lv1, lv2] = [asT(logvar1), asT(logvar2)];
  return lv2
    .sub(lv1)
    .add(lv1.sub(lv2).exp())
    .add(mean1.sub(mean2).square().mul(lv2.neg().exp()))
    .sub(1)
    .mul(0.5);
}

/** log N(x; μ, e^ℓ) elementwise: the continuous Gaussian decoder. */
export function gaussianLogLikelihood(x: Tensor, mean: Tensor, logScale2: Tensor): Tensor {
  return x.sub(mean).square().mul(logScale2.neg().exp()).add(logScale2).add(LOG_2PI).mul(-0.5);
}

const stdNormalCdf = (z: Tensor) => erf(z.mul(Math.SQRT1_2)).add(1).mul(0.5);

/**
 * log P(x) for 8-bit data scaled to [−1, 1] under a Gaussian N(μ, e^ℓ) discretised into 256 bins
 * of width 2/255 (Ho et al. 2020, eq. 13): the mass of [x − 1/255, x + 1/255], with the edge
 * bins extended to −∞ and +∞ so the 256 probabilities sum to 1. Probabilities are floored at
 * 1e-12 before the log, as guided-diffusion.
 */
export function discretizedGaussianLogLikelihood(x: Tensor, mean: Tensor, logVariance: Tensor): Tensor {
  const centered = x.sub(mean);
  const invStd = logVariance.mul(-0.5).exp();
  const cdfPlus = stdNormalCdf(centered.add(1 / 255).mul(invStd));
  const cdfMin = stdNormalCdf(centered.sub(1 / 255).mul(invStd));
  const floor = (p: Tensor) => log(clamp(p, 1e-12));
  const logCdfPlus = floor(cdfPlus);
  const logOneMinusCdfMin = floor(cdfMin.neg().add(1));
  const logMid = floor(cdfPlus.sub(cdfMin));
  return where(x.lt(-0.999), logCdfPlus, where(x.gt(0.999), logOneMinusCdfMin, logMid));
}
