import { ArgumentError, type Generator, type Tensor, clamp, randnLike } from '@likelihood/core';
import { checkFloat, checkSameShape } from '../coefficients.js';
import { type PredictionType, checkPredictionType, predictX0AndEps } from '../parameterization.js';
import type { NoiseSchedule } from '../schedule.js';
import { type Scheduler, type StepOutput, checkInTimesteps, leadingTimesteps } from './scheduler.js';

export interface DDIMSchedulerOptions {
  predictionType?: PredictionType;
  /** η: 0 gives the deterministic DDIM, 1 gives DDPM's ancestral variance (default 0). */
  eta?: number;
  clipSample?: boolean;
  clipSampleRange?: number;
  /** ᾱ after the last step: 1 (default, diffusers' set_alpha_to_one) or ᾱ_0. */
  setAlphaToOne?: boolean;
}

/**
 * DDIM (Song et al. 2021, eq. 12), as diffusers' DDIMScheduler: from x_t to the previous visited
 * timestep t',
 *   x_{t'} = √ᾱ_{t'} x̂_0 + √(1 − ᾱ_{t'} − σ_t²) ε̂ + σ_t z,
 *   σ_t = η √((1 − ᾱ_{t'})/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_{t'})   (eq. 16).
 * With η = 0 the map is deterministic and `invertStep` runs it backwards (DDIM inversion).
 */
export class DDIMScheduler implements Scheduler {
  readonly schedule: NoiseSchedule;
  readonly predictionType: PredictionType;
  eta: number;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  readonly finalAlphaCumprod: number;
  timesteps: number[];
  numInferenceSteps: number;

  constructor(schedule: NoiseSchedule, opts: DDIMSchedulerOptions = {}) {
    this.schedule = schedule;
    this.predictionType = opts.predictionType ?? 'epsilon';
    checkPredictionType('DDIMScheduler', this.predictionType);
    this.eta = opts.eta ?? 0;
    if (!(this.eta >= 0)) throw new ArgumentError(`DDIMScheduler: eta must be >= 0, found ${this.eta}`);
    this.clipSample = opts.clipSample ?? false;
    this.clipSampleRange = opts.clipSampleRange ?? 1;
    this.finalAlphaCumprod = (opts.setAlphaToOne ?? true) ? 1 : schedule.alphasCumprod[0]!;
    this.numInferenceSteps = Math.min(50, schedule.numTimesteps);
    this.timesteps = leadingTimesteps('DDIMScheduler', schedule, this.numInferenceSteps);
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = leadingTimesteps('DDIMScheduler', this.schedule, numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
  }

  private alphaBarAt(t: number): number {
    return t >= 0 ? this.schedule.alphasCumprod[t]! : this.finalAlphaCumprod;
  }

  /** σ_t² of eq. 16 at η = 1: the respaced posterior variance β̃. */
  variance(t: number, prev: number): number {
    const [a, ap] = [this.alphaBarAt(t), this.alphaBarAt(prev)];
    return ((1 - ap) / (1 - a)) * (1 - a / ap);
  }

  private predict(modelOutput: Tensor, t: number, xt: Tensor) {
    let { x0, eps } = predictX0AndEps(this.schedule, modelOutput, xt, t, this.predictionType);
    if (this.clipSample) x0 = clamp(x0, -this.clipSampleRange, this.clipSampleRange);
    return { x0, eps };
  }

  step(modelOutput: Tensor, t: number, xt: Tensor, generator?: Generator, noise?: Tensor): StepOutput {
    checkFloat('DDIMScheduler.step', 'x_t', xt);
    checkInTimesteps('DDIMScheduler', this.timesteps, t);
    const prev = t - Math.floor(this.schedule.numTimesteps / this.numInferenceSteps);
    const aPrev = this.alphaBarAt(prev);
    const { x0, eps } = this.predict(modelOutput, t, xt);
    const std = this.eta * Math.sqrt(this.variance(t, prev));
    let prevSample = x0.mul(Math.sqrt(aPrev)).add(eps.mul(Math.sqrt(Math.max(1 - aPrev - std * std, 0))));
    if (this.eta > 0) {
      const z = noise ?? randnLike(xt, { generator });
      checkSameShape('DDIMScheduler.step', xt, 'x_t', z, 'noise');
      prevSample = prevSample.add(z.mul(std));
    }
    return { prevSample, predOriginalSample: x0 };
  }

  /**
   * One step of DDIM inversion (η = 0): from x at timestep t (one of `timesteps`) to the next
   * noisier visited timestep, x_next = √ᾱ_next x̂_0 + √(1 − ᾱ_next) ε̂ with the model output at
   * (x, t). Starting from data taken as x at t = timesteps[last] and inverting up to
   * timesteps[0] gives the latent that `step` maps back to (approximately) the data.
   */
  invertStep(modelOutput: Tensor, t: number, x: Tensor): Tensor {
    checkFloat('DDIMScheduler.invertStep', 'x', x);
    checkInTimesteps('DDIMScheduler', this.timesteps, t);
    if (t === this.timesteps[0]) throw new ArgumentError(`DDIMScheduler.invertStep: t = ${t} is already the noisiest timestep`);
    const next = t + Math.floor(this.schedule.numTimesteps / this.numInferenceSteps);
    const aNext = this.alphaBarAt(next);
    const { x0, eps } = this.predict(modelOutput, t, x);
    return x0.mul(Math.sqrt(aNext)).add(eps.mul(Math.sqrt(1 - aNext)));
  }
}
