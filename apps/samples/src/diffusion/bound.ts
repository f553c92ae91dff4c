import { type NoiseSchedule, variationalBound, withEmaWeights } from '@likelihood/diffusion';
import type { EMA } from '@likelihood/nn';
import type { Tensor } from '@likelihood/core';
import { Generator } from '@likelihood/core';
import type { DenoiserModule } from './model.js';

export interface BoundResult {
  bitsPerDim: number;
  standardError: number;
  /** per example, nats: bits/dim · D · ln 2 */
  nats: number;
  examples: number;
  timesteps: number;
  seconds: number;
}

/**
 * The variational bound on held-out data with the EMA weights: a Gaussian decoder for 2-D data
 * (a bound on the density), the 256-bin discretised decoder for MNIST (a bound on the 8-bit NLL).
 * `timesteps` < T gives the stratified unbiased estimate of `variationalBound`.
 */
export function heldOutBound(
  model: DenoiserModule,
  ema: EMA,
  schedule: NoiseSchedule,
  x: Tensor,
  opts: { image: boolean; timesteps?: number; batchSize?: number; onBatch?: (done: number, total: number) => void },
): BoundResult {
  const t0 = performance.now();
  const D = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const r = withEmaWeights(ema, model, () =>
    variationalBound(model, schedule, x, {
      decoder: opts.image ? 'discretized' : 'gaussian',
      varianceType: 'fixedSmall',
      batchSize: opts.batchSize ?? (opts.image ? 16 : 1000),
      timestepsPerCall: opts.image ? 1 : 10,
      timesteps: opts.timesteps,
      generator: new Generator(123),
      onBatch: opts.onBatch,
    }),
  );
  return {
    bitsPerDim: r.bitsPerDim,
    standardError: r.standardError,
    nats: r.bitsPerDim * D * Math.LN2,
    examples: x.shape[0]!,
    timesteps: Math.min(opts.timesteps ?? schedule.numTimesteps, schedule.numTimesteps),
    seconds: (performance.now() - t0) / 1000,
  };
}
