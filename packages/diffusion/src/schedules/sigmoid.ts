import { checkBetaRange, checkNumTimesteps } from './checks.js';

/**
 * The sigmoid schedule as diffusers' `beta_schedule="sigmoid"` (from GeoDiff): β_t =
 * sigmoid(u_t)·(betaEnd − betaStart) + betaStart with u_t evenly spaced on [−6, 6].
 */
export function sigmoidBetas(numTimesteps = 1000, betaStart = 1e-4, betaEnd = 0.02): Float64Array {
  checkNumTimesteps('sigmoidBetas', numTimesteps);
  checkBetaRange('sigmoidBetas', betaStart, betaEnd);
  const out = new Float64Array(numTimesteps);
  for (let i = 0; i < numTimesteps; i++) {
    const u = numTimesteps === 1 ? -6 : -6 + (12 * i) / (numTimesteps - 1);
    out[i] = (1 / (1 + Math.exp(-u))) * (betaEnd - betaStart) + betaStart;
  }
  return out;
}
