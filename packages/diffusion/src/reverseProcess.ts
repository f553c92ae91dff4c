import { ArgumentError, ShapeError, type Tensor, clamp } from '@likelihood/core';
import { type Timesteps, checkFloat, fmtShape, gatherCoef, timestepList } from './coefficients.js';
import { type PredictionType, predictX0AndEps } from './parameterization.js';
import type { NoiseSchedule } from './schedule.js';

/**
 * The reverse-process variance Σ_θ(x_t, t) = σ_t² I:
 * - 'fixedSmall': β̃_t (the posterior variance; the lower bound of Ho et al. Section 3.2),
 * - 'fixedLarge': β_t (the upper bound), with β̃_1 at t = 0 as Improved DDPM,
 * - 'learned': the model's extra output channels are log σ_t² directly,
 * - 'learnedRange': they are v ∈ [−1, 1] with log σ_t² = ((v+1)/2) log β_t + ((1−v)/2) log β̃_t
 *   (Nichol & Dhariwal 2021, eq. 15).
 * The learned types need a model with 2·C outputs along dim 1: [mean part, variance part].
 */
export type VarianceType = 'fixedSmall' | 'fixedLarge' | 'learned' | 'learnedRange';

export function checkVarianceType(op: string, v: string): asserts v is VarianceType {
  if (v !== 'fixedSmall' && v !== 'fixedLarge' && v !== 'learned' && v !== 'learnedRange') {
    throw new ArgumentError(`${op}: varianceType must be 'fixedSmall', 'fixedLarge', 'learned' or 'learnedRange', found '${v}'`);
  }
}

export const isLearnedVariance = (v: VarianceType) => v === 'learned' || v === 'learnedRange';

export interface ReverseProcessOptions {
  predictionType?: PredictionType;
  varianceType?: VarianceType;
  /** Clamp x̂_0 to [−1, 1] before forming the mean (for data scaled to [−1, 1]); default false. */
  clipDenoised?: boolean;
}

export interface ReverseStepDistribution {
  /** μ_θ(x_t, t) = μ̃_t(x̂_0, x_t). */
  mean: Tensor;
  /** log σ_t², broadcastable to x_t. */
  logVariance: Tensor;
  /** x̂_0 (after clipping when asked). */
  predX0: Tensor;
  /** ε̂ (from the unclipped x̂_0). */
  predEps: Tensor;
  /** The part of the model output that parameterises the mean. */
  meanOutput: Tensor;
  /** The variance part of the model output (learned types), else null. */
  varianceOutput: Tensor | null;
}

/** Splits a learned-variance model output [B, 2C, …] into its mean and variance parts along dim 1. */
export function splitModelOutput(op: string, output: Tensor, xt: Tensor, varianceType: VarianceType): [Tensor, Tensor | null] {
  if (!isLearnedVariance(varianceType)) return [output, null];
  const c = xt.shape[1];
  if (xt.ndim < 2 || output.ndim !== xt.ndim || output.shape[1] !== 2 * c! || output.shape.some((d, i) => i !== 1 && d !== xt.shape[i])) {
    throw new ShapeError(
      `${op}: with varianceType '${varianceType}' the model output must have 2·C = ${2 * (c ?? 0)} channels along dim 1 for x_t ${fmtShape(xt.shape)}, found ${fmtShape(output.shape)}`,
    );
  }
  const [m, v] = output.split(c!, 1);
  return [m!, v!];
}

/**
 * p_θ(x_{t−1} | x_t) = N(μ_θ, σ_t² I) from a model output (guided-diffusion's `p_mean_variance`).
 */
export function reverseStepDistribution(
  schedule: NoiseSchedule,
  output: Tensor,
  xt: Tensor,
  t: Timesteps,
  opts: ReverseProcessOptions = {},
): ReverseStepDistribution {
  const { predictionType = 'epsilon', varianceType = 'fixedSmall', clipDenoised = false } = opts;
  checkVarianceType('reverseStepDistribution', varianceType);
  checkFloat('reverseStepDistribution', 'x_t', xt);
  const ts = timestepList('reverseStepDistribution', schedule, t, xt);
  const [meanOutput, varianceOutput] = splitModelOutput('reverseStepDistribution', output, xt, varianceType);
  const { x0, eps } = predictX0AndEps(schedule, meanOutput, xt, t, predictionType);
  const predX0 = clipDenoised ? clamp(x0, -1, 1) : x0;
  const mean = predX0.mul(gatherCoef(schedule.posteriorMeanCoef1, ts, xt)).add(xt.mul(gatherCoef(schedule.posteriorMeanCoef2, ts, xt)));
  const minLog = schedule.posteriorLogVarianceClipped;
  let logVariance: Tensor;
  if (varianceType === 'fixedSmall') {
    logVariance = xt.mul(0).add(gatherCoef(minLog, ts, xt));
  } else if (varianceType === 'fixedLarge') {
    const large = schedule.betas.map((b, i) => (i === 0 ? minLog[0]! : Math.log(b)));
    logVariance = xt.mul(0).add(gatherCoef(large, ts, xt));
  } else if (varianceType === 'learned') {
    logVariance = varianceOutput!;
  } else {
    const frac = varianceOutput!.add(1).mul(0.5);
    const maxLog = gatherCoef(schedule.betas.map(Math.log), ts, xt);
    logVariance = frac.mul(maxLog).add(frac.neg().add(1).mul(gatherCoef(minLog, ts, xt)));
  }
  return { mean, logVariance, predX0, predEps: eps, meanOutput, varianceOutput };
}
