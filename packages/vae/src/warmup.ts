import { ArgumentError } from '@likelihood/core';

export interface KLWarmupOptions {
  /** Steps over which the KL weight rises linearly from 0 to `beta` (Sønderby et al. 2016). 0 = no warm-up. */
  warmupSteps: number;
  /** Final weight β of the KL term (default 1; β > 1 is a β-VAE). */
  beta?: number;
}

/** The KL weight at `step` (0-based): β · min(1, step / warmupSteps). Pass it to elbo() as {beta}. */
export function klWarmup(step: number, { warmupSteps, beta = 1 }: KLWarmupOptions): number {
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0)) throw new ArgumentError(`klWarmup: warmupSteps must be a non-negative integer, found ${warmupSteps}`);
  if (!(beta >= 0)) throw new ArgumentError(`klWarmup: beta must be ≥ 0, found ${beta}`);
  if (!(step >= 0)) throw new ArgumentError(`klWarmup: step must be ≥ 0, found ${step}`);
  return warmupSteps === 0 ? beta : beta * Math.min(1, step / warmupSteps);
}
