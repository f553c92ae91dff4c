import { ArgumentError, type Tensor, tensor } from '@likelihood/core';
import { velocity } from '../addNoise.js';
import { type Denoiser, asDenoiserFn } from '../denoisers/denoiser.js';
import { type PredictionType, checkPredictionType } from '../parameterization.js';
import { type VarianceType, checkVarianceType, splitModelOutput } from '../reverseProcess.js';
import type { NoiseSchedule } from '../schedule.js';
import { type NoisingOptions, noiseBatch } from './sampleTraining.js';
import { meanOverDims } from './vlbTerm.js';

export interface DenoisingLossOptions extends NoisingOptions {
  predictionType?: PredictionType;
  /** With a learned variance the model has 2·C outputs; only the mean part enters this loss. */
  varianceType?: VarianceType;
  /**
   * Min-SNR-γ weighting (Hang et al. 2023): weight each example by min(SNR_t, γ) expressed in
   * the prediction's units (÷SNR for ε, ÷(SNR+1) for v). Omit for the unweighted L_simple.
   */
  minSnrGamma?: number;
}

export interface DenoisingLossResult {
  /** Mean over the batch of the per-example losses. */
  loss: Tensor;
  /** Per-example loss [B] (mean over dims, after weighting). */
  perExample: Tensor;
  /** The model output at (x_t, t), e.g. for a hybrid objective. */
  output: Tensor;
  t: Tensor;
  xt: Tensor;
  noise: Tensor;
}

/**
 * L_simple (Ho et al. eq. 14): E_{t, x_0, ε} ‖target − f_θ(x_t, t)‖² with target ε, x_0 or v,
 * averaged over dimensions. With ε-prediction and no weighting this is the variational bound
 * with its per-t weights β_t²/(2σ_t² α_t (1−ᾱ_t)) dropped.
 */
export function denoisingLoss(model: Denoiser, schedule: NoiseSchedule, x0: Tensor, opts: DenoisingLossOptions = {}): DenoisingLossResult {
  const { predictionType = 'epsilon', varianceType = 'fixedSmall', minSnrGamma } = opts;
  checkPredictionType('denoisingLoss', predictionType);
  checkVarianceType('denoisingLoss', varianceType);
  if (minSnrGamma !== undefined && !(minSnrGamma > 0)) throw new ArgumentError(`denoisingLoss: minSnrGamma must be > 0, found ${minSnrGamma}`);
  const f = asDenoiserFn('denoisingLoss', model);
  const { t, tFloat, noise, xt } = noiseBatch('denoisingLoss', schedule, x0, opts);
  const output = f(xt, tFloat);
  const [meanPart] = splitModelOutput('denoisingLoss', output, xt, varianceType);
  const target = predictionType === 'epsilon' ? noise : predictionType === 'x0' ? x0 : velocity(schedule, x0, noise, t);
  let perExample = meanOverDims(meanPart.sub(target).square());
  if (minSnrGamma !== undefined) {
    const weights = Array.from(t.storage as ArrayLike<number>, (ti) => {
      const snr = schedule.snr(ti);
      const clipped = Math.min(snr, minSnrGamma);
      return predictionType === 'epsilon' ? clipped / snr : predictionType === 'x0' ? clipped : clipped / (snr + 1);
    });
    perExample = perExample.mul(tensor(weights, { dtype: perExample.dtype }));
  }
  return { loss: perExample.mean(), perExample, output, t, xt, noise };
}
