import { ArgumentError, type Tensor } from '@likelihood/core';
import { type Timesteps, checkSameShape, gatherCoef, timestepList } from './coefficients.js';
import type { NoiseSchedule } from './schedule.js';

/** What the network predicts: the noise ε, the clean sample x_0, or the velocity v. */
export type PredictionType = 'epsilon' | 'x0' | 'v';

export function checkPredictionType(op: string, p: string): asserts p is PredictionType {
  if (p !== 'epsilon' && p !== 'x0' && p !== 'v') throw new ArgumentError(`${op}: predictionType must be 'epsilon', 'x0' or 'v', found '${p}'`);
}

/**
 * Converts a model output to the predicted clean sample x̂_0 and noise ε̂ at x_t:
 *   ε:  x̂_0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ            (Ho et al. eq. 15)
 *   x0: ε̂ = (x_t − √ᾱ x̂_0)/√(1−ᾱ)
 *   v:  x̂_0 = √ᾱ x_t − √(1−ᾱ) v̂,  ε̂ = √ᾱ v̂ + √(1−ᾱ) x_t   (Salimans & Ho 2022, Appendix D)
 */
export function predictX0AndEps(
  schedule: NoiseSchedule,
  output: Tensor,
  xt: Tensor,
  t: Timesteps,
  predictionType: PredictionType,
): { x0: Tensor; eps: Tensor } {
  checkPredictionType('predictX0AndEps', predictionType);
  checkSameShape('predictX0AndEps', xt, 'x_t', output, 'model output');
  const ts = timestepList('predictX0AndEps', schedule, t, xt);
  const a = gatherCoef(schedule.sqrtAlphasCumprod, ts, xt);
  const s = gatherCoef(schedule.sqrtOneMinusAlphasCumprod, ts, xt);
  if (predictionType === 'epsilon') return { eps: output, x0: xt.sub(output.mul(s)).div(a) };
  if (predictionType === 'x0') return { x0: output, eps: xt.sub(output.mul(a)).div(s) };
  return { x0: xt.mul(a).sub(output.mul(s)), eps: output.mul(a).add(xt.mul(s)) };
}
