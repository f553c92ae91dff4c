import type { Tensor } from '@likelihood/core';
import { type Timesteps, checkFloat, checkSameShape, gatherCoef, timestepList } from './coefficients.js';
import type { NoiseSchedule } from './schedule.js';

/**
 * Draws x_t from q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I) by reparameterisation (Ho et al.
 * eq. 4): x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, with ε = `noise` and t one integer or one per example.
 */
export function addNoise(schedule: NoiseSchedule, x0: Tensor, noise: Tensor, t: Timesteps): Tensor {
  checkFloat('addNoise', 'x0', x0);
  checkSameShape('addNoise', x0, 'x0', noise, 'noise');
  const ts = timestepList('addNoise', schedule, t, x0);
  const a = gatherCoef(schedule.sqrtAlphasCumprod, ts, x0);
  const s = gatherCoef(schedule.sqrtOneMinusAlphasCumprod, ts, x0);
  return x0.mul(a).add(noise.mul(s));
}

/** The v-prediction target v = √ᾱ_t ε − √(1 − ᾱ_t) x_0 (Salimans & Ho 2022). */
export function velocity(schedule: NoiseSchedule, x0: Tensor, noise: Tensor, t: Timesteps): Tensor {
  checkFloat('velocity', 'x0', x0);
  checkSameShape('velocity', x0, 'x0', noise, 'noise');
  const ts = timestepList('velocity', schedule, t, x0);
  const a = gatherCoef(schedule.sqrtAlphasCumprod, ts, x0);
  const s = gatherCoef(schedule.sqrtOneMinusAlphasCumprod, ts, x0);
  return noise.mul(a).sub(x0.mul(s));
}
