import { checkBetaRange, checkNumTimesteps } from './checks.js';

/**
 * DDPM's linear schedule (Ho et al. 2020, Section 4): β_t evenly spaced from `betaStart` to
 * `betaEnd` over T steps; by default β from 1e-4 to 0.02 with T = 1000.
 */
export function linearBetas(numTimesteps = 1000, betaStart = 1e-4, betaEnd = 0.02): Float64Array {
  checkNumTimesteps('linearBetas', numTimesteps);
  checkBetaRange('linearBetas', betaStart, betaEnd);
  const out = new Float64Array(numTimesteps);
  for (let i = 0; i < numTimesteps; i++) out[i] = numTimesteps === 1 ? betaStart : betaStart + ((betaEnd - betaStart) * i) / (numTimesteps - 1);
  return out;
}
