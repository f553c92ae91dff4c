import { reliabilityDiagram, renderReliabilitySvg } from '@likelihood/calibration';
import { type Tensor, noGrad, stack } from '@likelihood/core';
import type { VAE } from '@likelihood/vae';
import type { CalibrationFigure } from '../report/types.js';

/**
 * Reliability of the decoder's Bernoulli pixel probabilities p(x_i = 1 | z = posterior mean) on
 * held-out binary digits: each pixel is a two-class prediction [1 − p, p] scored against its value.
 */
export function pixelCalibration(vae: VAE, binaryImages: Tensor, digits = 100): CalibrationFigure {
  const x = binaryImages.narrow(0, 0, Math.min(digits, binaryImages.shape[0]!)); // [n, 1, 28, 28]
  const p = noGrad(() => vae.reconstruct(x, { mean: true })).reshape([-1]).to('float64'); // [n·784]
  const probs = stack([p.neg().add(1), p], 1); // [n·784, 2]
  const d = reliabilityDiagram(probs, x.reshape([-1]).int(), { nBins: 10, title: 'pixel reliability' });
  return { caption: `decoder pixel probabilities on ${x.shape[0]} held-out digits (${d.n} pixels)`, svg: renderReliabilitySvg(d), ece: d.ece };
}
