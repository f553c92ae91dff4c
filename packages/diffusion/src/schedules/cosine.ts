import { ArgumentError } from '@likelihood/core';
import { checkNumTimesteps } from './checks.js';

/**
 * The cosine schedule of Improved DDPM (Nichol & Dhariwal 2021, eq. 17):
 * ᾱ(t) = f(t)/f(0) with f(t) = cos²(((t/T + s)/(1 + s))·π/2), and
 * β_t = min(1 − ᾱ(t+1)/ᾱ(t), maxBeta) with s = 0.008 and maxBeta = 0.999 (diffusers'
 * "squaredcos_cap_v2", guided-diffusion's `betas_for_alpha_bar`).
 */
export function cosineBetas(numTimesteps = 1000, s = 0.008, maxBeta = 0.999): Float64Array {
  checkNumTimesteps('cosineBetas', numTimesteps);
  if (!(s >= 0)) throw new ArgumentError(`cosineBetas: s must be >= 0, found ${s}`);
  if (!(maxBeta > 0 && maxBeta <= 1)) throw new ArgumentError(`cosineBetas: maxBeta must lie in (0, 1], found ${maxBeta}`);
  const f = (u: number) => Math.cos(((u + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(numTimesteps);
  for (let i = 0; i < numTimesteps; i++) out[i] = Math.min(1 - f((i + 1) / numTimesteps) / f(i / numTimesteps), maxBeta);
  return out;
}
