import { ArgumentError, type Tensor, cat } from '@likelihood/core';
import { type Denoiser, asDenoiserFn } from '../denoisers/denoiser.js';
import { isLearnedVariance, splitModelOutput } from '../reverseProcess.js';
import type { NoiseSchedule } from '../schedule.js';
import { type DenoisingLossOptions, denoisingLoss } from './denoisingLoss.js';
import { type DecoderType, vlbTerm } from './vlbTerm.js';

export interface HybridLossOptions extends DenoisingLossOptions {
  /** λ in L_simple + λ·L_vlb (default 0.001, Nichol & Dhariwal). */
  lambda?: number;
  decoder?: DecoderType;
  clipDenoised?: boolean;
}

/**
 * Improved DDPM's hybrid objective L_simple + λ L_vlb (Nichol & Dhariwal 2021, Section 3.1) for a
 * model with learned variances: L_vlb = T·L_t for the sampled t, in bits/dim, computed with the
 * mean part of the output detached so that L_vlb trains only the variance and L_simple only the
 * mean. Returns the total and both parts (per-example [B]).
 */
export function hybridLoss(model: Denoiser, schedule: NoiseSchedule, x0: Tensor, opts: HybridLossOptions = {}) {
  const { lambda = 0.001, varianceType = 'learnedRange' } = opts;
  if (!isLearnedVariance(varianceType)) throw new ArgumentError(`hybridLoss: varianceType must be 'learned' or 'learnedRange', found '${varianceType}'`);
  if (!(lambda >= 0)) throw new ArgumentError(`hybridLoss: lambda must be >= 0, found ${lambda}`);
  const simple = denoisingLoss(asDenoiserFn('hybridLoss', model), schedule, x0, { ...opts, varianceType });
  const [meanPart, variancePart] = splitModelOutput('hybridLoss', simple.output, simple.xt, varianceType);
  const frozen = cat([meanPart.detach(), variancePart!], 1); // (B, 2C, …): stop-gradient on the mean
  const vlb = vlbTerm(schedule, frozen, x0, simple.xt, simple.t, { ...opts, varianceType }).mul(schedule.numTimesteps);
  const perExample = simple.perExample.add(vlb.mul(lambda));
  return { loss: perExample.mean(), perExample, simple: simple.perExample, vlb, t: simple.t };
}
