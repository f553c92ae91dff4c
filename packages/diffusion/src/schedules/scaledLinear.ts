import { checkBetaRange, checkNumTimesteps } from './checks.js';

/**
 * The "scaled linear" schedule of latent diffusion / Stable Diffusion: √β evenly spaced from
 * √betaStart to √betaEnd, then squared (defaults 0.00085 and 0.012, as diffusers' configs).
 */
export function scaledLinearBetas(numTimesteps = 1000, betaStart = 0.00085, betaEnd = 0.012): Float64Array {
  checkNumTimesteps('scaledLinearBetas', numTimesteps);
  checkBetaRange('scaledLinearBetas', betaStart, betaEnd);
  const [a, b] = [Math.sqrt(betaStart), Math.sqrt(betaEnd)];
  const out = new Float64Array(numTimesteps);
  for (let i = 0; i < numTimesteps; i++) out[i] = (numTimesteps === 1 ? a : a + ((b - a) * i) / (numTimesteps - 1)) ** 2;
  return out;
}
