import { type Generator, type Tensor, clamp, randnLike } from '@likelihood/core';
import { checkFloat, checkSameShape } from '../coefficients.js';
import { type PredictionType, checkPredictionType, predictX0AndEps } from '../parameterization.js';
import { type VarianceType, checkVarianceType, splitModelOutput } from '../reverseProcess.js';
import type { NoiseSchedule } from '../schedule.js';
import { type Scheduler, type StepOutput, checkInTimesteps, leadingTimesteps } from './scheduler.js';

export interface DDPMSchedulerOptions {
  predictionType?: PredictionType;
  /** 'fixedSmall' (β̃_t, default), 'fixedLarge' (β_t), 'learned' (model gives log σ²), 'learnedRange' (Improved DDPM). */
  varianceType?: VarianceType;
  /** Clamp x̂_0 to [−clipSampleRange, clipSampleRange] (for data in [−1, 1]); default false. */
  clipSample?: boolean;
  clipSampleRange?: number;
}

/**
 * DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), as diffusers' DDPMScheduler: with
 * t' the previous visited timestep, x_{t'} = μ̃(x̂_0, x_t) + σ z, where the coefficients are those
 * of the respaced process (α_t ← ᾱ_t/ᾱ_{t'}), so fewer than T steps also work:
 *   μ̃ = (√ᾱ_{t'} β'_t/(1−ᾱ_t)) x̂_0 + (√α'_t (1−ᾱ_{t'})/(1−ᾱ_t)) x_t   (eq. 7)
 *   σ² = β̃'_t = (1−ᾱ_{t'})/(1−ᾱ_t)·β'_t (fixedSmall) or β'_t (fixedLarge); no noise at the last step.
 */
export class DDPMScheduler implements Scheduler {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  readonly varianceType: VarianceType;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  timesteps: number[];
  numInferenceSteps: number;

  constructor(schedule: NoiseSchedule, opts: DDPMSchedulerOptions = {}) {
    this.schedule = schedule;
    this.predictionType = opts.predictionType ?? 'epsilon';
    this.varianceType = opts.varianceType ?? 'fixedSmall';
    checkPredictionType('DDPMScheduler', this.predictionType);
    checkVarianceType('DDPMScheduler', this.varianceType);
    this.clipSample = opts.clipSample ?? false;
    this.clipSampleRange = opts.clipSampleRange ?? 1;
    this.numInferenceSteps = schedule.numTimesteps;
    this.timesteps = leadingTimesteps('DDPMScheduler', schedule, this.numInferenceSteps);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = leadingTimesteps('DDPMScheduler', this.schedule, numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
  }

  /** The timestep visited after t (−1 means the clean data, ᾱ = 1). */
  previousTimestep(t: number): number {
    return t - Math.floor(this.schedule.numTimesteps / this.numInferenceSteps);
  }

  step(modelOutput: Tensor, t: number, xt: Tensor, generator?: Generator, noise?: Tensor): StepOutput {
    checkFloat('DDPMScheduler.step', 'x_t', xt);
    checkInTimesteps('DDPMScheduler', this.timesteps, t);
    const [out, varOut] = splitModelOutput('DDPMScheduler.step', modelOutput, xt, this.varianceType);
    const prev = this.previousTimestep(t);
    const aT = this.schedule.alphasCumprod[t]!;
    const aPrev = prev >= 0 ? this.schedule.alphasCumprod[prev]! : 1;
    const alphaT = aT / aPrev; // α'_t of the respaced process
    const betaT = 1 - alphaT;
    let { x0 } = predictX0AndEps(this.schedule, out, xt, t, this.predictionType);
    if (this.clipSample) x0 = clamp(x0, -this.clipSampleRange, this.clipSampleRange);
    const coefX0 = (Math.sqrt(aPrev) * betaT) / (1 - aT);
    const coefXt = (Math.sqrt(alphaT) * (1 - aPrev)) / (1 - aT);
    let prevSample = x0.mul(coefX0).add(xt.mul(coefXt));
    if (t > 0) {
      const z = noise ?? randnLike(xt, { generator });
      checkSameShape('DDPMScheduler.step', xt, 'x_t', z, 'noise');
      const small = Math.max(((1 - aPrev) / (1 - aT)) * betaT, 1e-20);
      let std: Tensor | number;
      if (this.varianceType === 'fixedSmall') std = Math.sqrt(small);
      else if (this.varianceType === 'fixedLarge') std = Math.sqrt(betaT);
      else if (this.varianceType === 'learned') std = varOut!.mul(0.5).exp();
      else {
        const frac = varOut!.add(1).mul(0.5);
        std = frac.mul(Math.log(betaT)).add(frac.neg().add(1).mul(Math.log(small))).mul(0.5).exp();
      }
      prevSample = prevSample.add(z.mul(std));
    }
    return { prevSample, predOriginalSample: x0 };
  }
}
