import { ArgumentError, type Tensor, tensor, where } from '@likelihood/core';
import { type Timesteps, checkFloat, checkSameShape, gatherCoef, timestepList } from '../coefficients.js';
import { discretizedGaussianLogLikelihood, gaussianLogLikelihood, normalKl } from '../gaussian.js';
import { type ReverseProcessOptions, reverseStepDistribution } from '../reverseProcess.js';
import type { NoiseSchedule } from '../schedule.js';

/** How p_θ(x_0 | x_1) scores the data: 256-bin discretised Gaussian for 8-bit data in [−1, 1], or a density. */
export type DecoderType = 'discretized' | 'gaussian';

export interface VlbTermOptions extends ReverseProcessOptions {
  decoder?: DecoderType;
}

/** Mean over every dim but the first: [B, …] → [B]. */
export const meanOverDims = (x: Tensor) => (x.ndim > 1 ? x.mean(Array.from({ length: x.ndim - 1 }, (_, i) => i + 1)) : x);

/**
 * One term of the variational bound per example, in bits per dimension (Ho et al. eq. 5):
 * L_{t} = KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t)) for t > 0, and the decoder NLL
 * L_0 = −log p_θ(x_0 | x_1) at t = 0 (0-based t). `output` is the model's output at (x_t, t).
 */
export function vlbTerm(schedule: NoiseSchedule, output: Tensor, x0: Tensor, xt: Tensor, t: Timesteps, opts: VlbTermOptions = {}): Tensor {
  const decoder = opts.decoder ?? 'discretized';
  if (decoder !== 'discretized' && decoder !== 'gaussian') throw new ArgumentError(`vlbTerm: decoder must be 'discretized' or 'gaussian', found '${decoder}'`);
  checkFloat('vlbTerm', 'x0', x0);
  checkSameShape('vlbTerm', x0, 'x0', xt, 'x_t');
  const ts = timestepList('vlbTerm', schedule, t, x0);
  const p = reverseStepDistribution(schedule, output, xt, t, opts);
  // q(x_{t−1} | x_t, x_0): μ̃ and log β̃ (clipped at t = 0, where the term is the decoder instead).
  const qMean = x0.mul(gatherCoef(schedule.posteriorMeanCoef1, ts, x0)).add(xt.mul(gatherCoef(schedule.posteriorMeanCoef2, ts, x0)));
  const qLogVar = gatherCoef(schedule.posteriorLogVarianceClipped, ts, x0);
  const kl = meanOverDims(normalKl(qMean, qLogVar, p.mean, p.logVariance)).div(Math.LN2);
  const decoderLogLik = decoder === 'discretized' ? discretizedGaussianLogLikelihood(x0, p.mean, p.logVariance) : gaussianLogLikelihood(x0, p.mean, p.logVariance);
  const decoderNll = meanOverDims(decoderLogLik).neg().div(Math.LN2);
  if (typeof ts === 'number') return ts === 0 ? decoderNll : kl;
  if (!ts.includes(0)) return kl;
  const isDecoder = tensor(ts.map((v) => (v === 0 ? 1 : 0)), { dtype: kl.dtype }); // (B,)
  return where(isDecoder.gt(0), decoderNll, kl);
}

/**
 * The prior term L_T = KL(q(x_T | x_0) ‖ N(0, I)) per example in bits/dim: a constant of the
 * schedule and the data, ≈ 0 when ᾱ_T ≈ 0.
 */
export function priorBitsPerDim(schedule: NoiseSchedule, x0: Tensor): Tensor {
  checkFloat('priorBitsPerDim', 'x0', x0);
  const aT = schedule.alphasCumprod[schedule.numTimesteps - 1]!;
  return meanOverDims(normalKl(x0.mul(Math.sqrt(aT)), Math.log(1 - aT), 0, 0)).div(Math.LN2);
}
