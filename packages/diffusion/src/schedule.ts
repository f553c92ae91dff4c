import { ArgumentError } from '@likelihood/core';
import { cosineBetas } from './schedules/cosine.js';
import { linearBetas } from './schedules/linear.js';
import { scaledLinearBetas } from './schedules/scaledLinear.js';
import { sigmoidBetas } from './schedules/sigmoid.js';

export type ScheduleKind = 'linear' | 'cosine' | 'scaledLinear' | 'sigmoid';

export interface ScheduleOptions {
  /** Which β schedule (default 'linear', DDPM's). */
  kind?: ScheduleKind;
  /** T, the number of diffusion steps (default 1000). */
  numTimesteps?: number;
  /** First β (linear/scaledLinear/sigmoid; defaults as each schedule's function). */
  betaStart?: number;
  /** Last β (linear/scaledLinear/sigmoid). */
  betaEnd?: number;
}

/**
 * A discrete variance-preserving forward process q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I),
 * t = 0 … T−1 (0-based like diffusers; the paper's t = 1 is index 0), with every coefficient
 * the samplers and objectives need, in float64. Posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I)
 * with μ̃_t = posteriorMeanCoef1[t]·x_0 + posteriorMeanCoef2[t]·x_t (Ho et al. eq. 6–7).
 */
export class NoiseSchedule {
  readonly numTimesteps: number;
  readonly betas: Float64Array;
  /** α_t = 1 − β_t. */
  readonly alphas: Float64Array;
  /** ᾱ_t = Π_{s≤t} α_s. */
  readonly alphasCumprod: Float64Array;
  /** √ᾱ_t and √(1 − ᾱ_t): the weights of x_0 and ε in x_t (computed once, used every step). */
  readonly sqrtAlphasCumprod: Float64Array;
  readonly sqrtOneMinusAlphasCumprod: Float64Array;
  /** ᾱ_{t−1}, with ᾱ_{−1} = 1. */
  readonly alphasCumprodPrev: Float64Array;
  /** β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t); 0 at t = 0. */
  readonly posteriorVariance: Float64Array;
  /** log β̃_t with t = 0 clipped to log β̃_1 (as Improved DDPM, since β̃_0 = 0). */
  readonly posteriorLogVarianceClipped: Float64Array;
  /** β_t √ᾱ_{t−1} / (1 − ᾱ_t): the weight of x_0 in μ̃_t. */
  readonly posteriorMeanCoef1: Float64Array;
  /** (1 − ᾱ_{t−1}) √α_t / (1 − ᾱ_t): the weight of x_t in μ̃_t. */
  readonly posteriorMeanCoef2: Float64Array;

  constructor(betas: ArrayLike<number>) {
    const T = betas.length;
    if (T < 1) throw new ArgumentError('NoiseSchedule: betas must have at least one entry, found none');
    for (let i = 0; i < T; i++) {
      const b = betas[i]!;
      if (!(b > 0 && b <= 1)) throw new ArgumentError(`NoiseSchedule: betas[${i}] must lie in (0, 1], found ${b}`);
    }
    this.numTimesteps = T;
    this.betas = Float64Array.from(betas);
    this.alphas = this.betas.map((b) => 1 - b);
    this.alphasCumprod = new Float64Array(T);
    let prod = 1;
    for (let i = 0; i < T; i++) this.alphasCumprod[i] = prod *= this.alphas[i]!;
    this.sqrtAlphasCumprod = this.alphasCumprod.map(Math.sqrt);
    this.sqrtOneMinusAlphasCumprod = this.alphasCumprod.map((v) => Math.sqrt(1 - v));
    this.alphasCumprodPrev = new Float64Array(T);
    this.posteriorVariance = new Float64Array(T);
    this.posteriorMeanCoef1 = new Float64Array(T);
    this.posteriorMeanCoef2 = new Float64Array(T);
    for (let i = 0; i < T; i++) {
      const prev = i === 0 ? 1 : this.alphasCumprod[i - 1]!;
      const oneMinus = 1 - this.alphasCumprod[i]!;
      this.alphasCumprodPrev[i] = prev;
      this.posteriorVariance[i] = (this.betas[i]! * (1 - prev)) / oneMinus;
      this.posteriorMeanCoef1[i] = (this.betas[i]! * Math.sqrt(prev)) / oneMinus;
      this.posteriorMeanCoef2[i] = ((1 - prev) * Math.sqrt(this.alphas[i]!)) / oneMinus;
    }
    this.posteriorLogVarianceClipped = this.posteriorVariance.map((v, i) => Math.log(i === 0 ? (T > 1 ? this.posteriorVariance[1]! : this.betas[0]!) : v));
  }

  /** A schedule by name: `NoiseSchedule.create({ kind: 'cosine', numTimesteps: 1000 })`. */
  static create(opts: ScheduleOptions = {}): NoiseSchedule {
    const T = opts.numTimesteps ?? 1000;
    const kind = opts.kind ?? 'linear';
    switch (kind) {
      case 'linear':
        return new NoiseSchedule(linearBetas(T, opts.betaStart, opts.betaEnd));
      case 'scaledLinear':
        return new NoiseSchedule(scaledLinearBetas(T, opts.betaStart, opts.betaEnd));
      case 'sigmoid':
        return new NoiseSchedule(sigmoidBetas(T, opts.betaStart, opts.betaEnd));
      case 'cosine':
        return new NoiseSchedule(cosineBetas(T));
      default:
        throw new ArgumentError(`NoiseSchedule.create: kind must be 'linear', 'cosine', 'scaledLinear' or 'sigmoid', found '${String(kind)}'`);
    }
  }

  /** Throws unless t is an integer timestep in [0, T). */
  checkTimestep(op: string, t: number): void {
    if (!Number.isInteger(t) || t < 0 || t >= this.numTimesteps) {
      throw new ArgumentError(`${op}: timestep t must be an integer in [0, ${this.numTimesteps - 1}], found ${t}`);
    }
  }

  /** ᾱ_t (t = −1 gives 1, the clean data). */
  alphaBar(t: number): number {
    if (t === -1) return 1;
    this.checkTimestep('alphaBar', t);
    return this.alphasCumprod[t]!;
  }

  /** Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) (Kingma et al. 2021). */
  snr(t: number): number {
    const a = this.alphaBar(t);
    return a / (1 - a);
  }

  /** σ_t = √((1 − ᾱ_t)/ᾱ_t), the noise level of x_t/√ᾱ_t (the probability-flow ODE's variable). */
  sigma(t: number): number {
    const a = this.alphaBar(t);
    return Math.sqrt((1 - a) / a);
  }
}
