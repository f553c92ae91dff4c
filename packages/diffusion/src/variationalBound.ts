import { ArgumentError, type Generator, type Tensor, cat, defaultGenerator, noGrad, randn, tensor } from '@likelihood/core';
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
  /**
   * Timesteps evaluated per data batch (default T: every term, the bound itself). With K < T,
   * L_0 is always evaluated and Σ_{t≥1} L_t is estimated from one t per example drawn uniformly in
   * each of K − 1 strata of 1 … T−1 (narrow at small t), weighted by the stratum's size: an
   * unbiased estimate of the bound at K/T of the cost (its Monte Carlo error is in `standardError`).
   */
  timesteps?: number;
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
  /** Standard error of `bitsPerDim` over the examples (data and Monte Carlo noise). */
  standardError: number;
}

/**
 * Strata [lo, hi) of timesteps, each evaluated once per example. All of them for K ≥ T; else
 * {0} and K − 1 strata of 1 … T−1 with quadratically growing widths (the terms change fastest
 * at small t, so narrow strata there keep the estimate's variance down).
 */
function strata(T: number, K: number): [number, number][] {
  if (K >= T) return Array.from({ length: T }, (_, i) => [i, i + 1]);
  const edges = [0, 1];
  for (let s = 1; s < K; s++) {
    const e = 1 + Math.round((T - 1) * (s / (K - 1)) ** 2);
    if (e > edges.at(-1)!) edges.push(e);
  }
  return edges.slice(0, -1).map((lo, i) => [lo, edges[i + 1]!]);
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
  const K = opts.timesteps ?? schedule.numTimesteps;
  if (K < 2 && schedule.numTimesteps > 1) throw new ArgumentError(`variationalBound: timesteps must be at least 2 (L_0 and one stratum), found ${K}`);
  for (const [name, v] of [['batchSize', batchSize], ['timestepsPerCall', timestepsPerCall], ['timesteps', K]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`variationalBound: ${name} must be a positive integer, found ${v}`);
  }
  const f = asDenoiserFn('variationalBound', model);
  const N = x0.shape[0]!;
  const T = schedule.numTimesteps;
  const perExample = new Float64Array(N);
  const terms = new Float64Array(T);
  let prior = 0;
  const plan = strata(T, K);
  const rng = generator ?? defaultGenerator();
  noGrad(() => {
    for (let start = 0; start < N; start += batchSize) {
      const xb = x0.narrow(0, start, Math.min(batchSize, N - start)); // (B, …)
      const B = xb.shape[0]!;
      const priorB = priorBitsPerDim(schedule, xb).storage;
      for (let i = 0; i < B; i++) perExample[start + i]! += priorB[i]!;
      for (let i = 0; i < B; i++) prior += priorB[i]! / N;
      for (let c0 = 0; c0 < plan.length; c0 += timestepsPerCall) {
        const chunk = plan.slice(c0, c0 + timestepsPerCall);
        const C = chunk.length;
        const xs = C === 1 ? xb : cat(Array(C).fill(xb), 0); // (C·B, …)
        // Row j = (stratum k, example j mod B): t uniform in the stratum, drawn per example.
        const tList = Array.from({ length: C * B }, (_, j) => {
          const [lo, hi] = chunk[Math.floor(j / B)]!;
          return hi - lo === 1 ? lo : lo + Math.min(hi - lo - 1, Math.floor(rng.random() * (hi - lo)));
        });
        const ts = tensor(tList, { dtype: 'int32' });
        const xt = addNoise(schedule, xs, randn(xs.shape, { dtype: xs.dtype as 'float32' | 'float64', generator }), ts);
        const out = f(xt, ts.to('float32'));
        const L = vlbTerm(schedule, out, xs, xt, ts, opts).storage; // (C·B,)
        for (let j = 0; j < C * B; j++) {
          const [lo, hi] = chunk[Math.floor(j / B)]!;
          perExample[start + (j % B)]! += (hi - lo) * L[j]!;
          terms[tList[j]!]! += ((hi - lo) * L[j]!) / N;
        }
      }
      opts.onBatch?.(start + B, N);
    }
  });
  const bitsPerDim = perExample.reduce((a, b) => a + b, 0) / N;
  const variance = N > 1 ? perExample.reduce((a, b) => a + (b - bitsPerDim) ** 2, 0) / (N - 1) : Number.NaN;
  return { bitsPerDim, perExample, terms, prior, standardError: Math.sqrt(variance / N) };
}
