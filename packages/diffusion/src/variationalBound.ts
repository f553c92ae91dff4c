import { ArgumentError, type Generator, type Tensor, cat, noGrad, randn, tensor } from '@likelihood/core';
import { addNoise } from './addNoise.js';
import { checkFloat } from './coefficients.js';
import { type Denoiser, asDenoiserFn } from './denoisers/denoiser.js';
import { type VlbTermOptions, priorBitsPerDim, vlbTerm } from './objectives/vlbTerm.js';
import type { NoiseSchedule } from './schedule.js';

export interface VariationalBoundOptions extends VlbTermOptions {
  /** Examples per model call (default 64). */
  batchSize?: number;
  /** Timesteps stacked into one model call, each with its own copy of the batch (default 1). */
  timestepsPerCall?: number;
  generator?: Generator;
  /** Called after each data batch with the number of examples done. */
  onBatch?: (done: number, total: number) => void;
}

export interface VariationalBoundResult {
  /** The bound on −log p(x_0) in bits per dimension, averaged over the examples. */
  bitsPerDim: number;
  /** The bound per example (bits/dim). */
  perExample: Float64Array;
  /** Each term L_t (t = 0 is the decoder NLL), averaged over the examples, bits/dim. */
  terms: Float64Array;
  /** The prior term L_T, averaged over the examples, bits/dim. */
  prior: number;
}

/**
 * The variational bound −log p_θ(x_0) ≤ L_T + Σ_{t>0} L_t + L_0 (Ho et al. eq. 5, Section 3.3),
 * each KL in closed form with one x_t ~ q(x_t | x_0) per term, computed in batches of data and
 * of timesteps with no gradients. For 8-bit data the input must be scaled to [−1, 1] and the
 * decoder is the 256-bin discretised Gaussian, so the result is a bound on the discrete NLL.
 */
export function variationalBound(model: Denoiser, schedule: NoiseSchedule, x0: Tensor, opts: VariationalBoundOptions = {}): VariationalBoundResult {
  checkFloat('variationalBound', 'x0', x0);
  const { batchSize = 64, timestepsPerCall = 1, generator } = opts;
  for (const [name, v] of [['batchSize', batchSize], ['timestepsPerCall', timestepsPerCall]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`variationalBound: ${name} must be a positive integer, found ${v}`);
  }
  const f = asDenoiserFn('variationalBound', model);
  const N = x0.shape[0]!;
  const T = schedule.numTimesteps;
  const perExample = new Float64Array(N);
  const terms = new Float64Array(T);
  let prior = 0;
  noGrad(() => {
    for (let start = 0; start < N; start += batchSize) {
      const xb = x0.narrow(0, start, Math.min(batchSize, N - start)); // (B, …)
      const B = xb.shape[0]!;
      const priorB = priorBitsPerDim(schedule, xb).storage;
      for (let i = 0; i < B; i++) perExample[start + i]! += priorB[i]!;
      for (let i = 0; i < B; i++) prior += priorB[i]! / N;
      for (let t0 = 0; t0 < T; t0 += timestepsPerCall) {
        const K = Math.min(timestepsPerCall, T - t0);
        const xs = K === 1 ? xb : cat(Array(K).fill(xb), 0); // (K·B, …)
        const ts = tensor(Array.from({ length: K * B }, (_, j) => t0 + Math.floor(j / B)), { dtype: 'int32' });
        const xt = addNoise(schedule, xs, randn(xs.shape, { dtype: xs.dtype as 'float32' | 'float64', generator }), ts);
        const out = f(xt, ts.to('float32'));
        const L = vlbTerm(schedule, out, xs, xt, ts, opts).storage; // (K·B,)
        for (let j = 0; j < K * B; j++) {
          perExample[start + (j % B)]! += L[j]!;
          terms[t0 + Math.floor(j / B)]! += L[j]! / N;
        }
      }
      opts.onBatch?.(start + B, N);
    }
  });
  const bitsPerDim = perExample.reduce((a, b) => a + b, 0) / N;
  return { bitsPerDim, perExample, terms, prior };
}
