import type { Tensor } from '@likelihood/core';
import { type Denoiser, asDenoiserFn } from '../denoisers/denoiser.js';
import type { NoiseSchedule } from '../schedule.js';
import { type NoisingOptions, noiseBatch } from './sampleTraining.js';
import { type VlbTermOptions, priorBitsPerDim, vlbTerm } from './vlbTerm.js';

/**
 * The full variational bound as a training objective: an unbiased one-sample estimate
 * L_T + T·L_t with t ~ U{0, …, T−1}, per example in bits/dim (Ho et al. eq. 5). Every part of
 * the model output gets gradients. Its expectation is the bound `variationalBound` computes.
 */
export function vlbLoss(model: Denoiser, schedule: NoiseSchedule, x0: Tensor, opts: VlbTermOptions & NoisingOptions = {}) {
  const f = asDenoiserFn('vlbLoss', model);
  const { t, tFloat, xt } = noiseBatch('vlbLoss', schedule, x0, opts);
  const perExample = vlbTerm(schedule, f(xt, tFloat), x0, xt, t, opts).mul(schedule.numTimesteps).add(priorBitsPerDim(schedule, x0));
  return { loss: perExample.mean(), perExample, t };
}
