// Annealed importance sampling for the partition function of an RBM (Neal 2001; Salakhutdinov
// & Murray 2008, §3). M independent runs each start from an exact sample of the base model
// p_0, move through p_β for β_1 < … < β_K = 1 with one Gibbs transition each (which leaves p_β
// invariant), and accumulate log w = Σ_k [log p*_{β_k}(v_k) − log p*_{β_{k−1}}(v_k)].
// Then E[w] = Z_B / Z_A, so Ẑ_B = Z_A · mean(w).
import { ArgumentError, type Generator, type Tensor, bernoulli, noGrad } from '@likelihood/core';
import { checkPositiveInt } from './checks.js';
import type { RBMBase } from './rbmBase.js';
import { checkSchedule, salakhutdinovMurraySchedule } from './schedules.js';

export interface AISOptions {
  /** Number of independent annealing runs M (default 100). */
  numRuns?: number;
  /** Inverse temperatures from 0 to 1 (default: salakhutdinovMurraySchedule(0.1), 1,450 steps). */
  betas?: ArrayLike<number>;
  /**
   * Visible biases of the base model (Bernoulli RBMs only). The base-rate model
   * `baseRateVisibleBias(data)` makes p_0 close to the data and the estimate much tighter.
   * Default: zeros (uniform base).
   */
  baseVisibleBias?: Tensor | null;
  /**
   * dtype of the two big matmuls per step (the hidden logits and the visible sampling). Default
   * float64. 'float32' uses the fast float32 kernels: the logits are cast to float64 before the
   * log-weight increments (a difference of two nearly equal softplus sums), so the increments
   * stay exact for the model the logits define; the logits themselves carry float32 rounding
   * (~1e-6 relative), far below AIS's own error on large models.
   */
  matmulDType?: 'float32' | 'float64';
  generator?: Generator;
}

export interface AISResult {
  /** log Ẑ = log Z_A + log mean(w). */
  logZ: number;
  /** Standard error of log Ẑ by the delta method: sd(w) / (√M · mean(w)). */
  logZStdErr: number;
  /** log(mean(w) − 3·se(w)) + log Z_A, −Infinity when the interval reaches 0 (S&M report ±3 se). */
  logZLow: number;
  /** log(mean(w) + 3·se(w)) + log Z_A. */
  logZHigh: number;
  /** log Z of the base model. */
  baseLogZ: number;
  /** log w of each run. */
  logWeights: Float64Array;
  /** (Σw)² / Σw²: how many runs effectively count. */
  effectiveSampleSize: number;
}

/** Log-odds of each visible unit's mean in binary data, clipped: the base-rate model of S&M. */
export function baseRateVisibleBias(data: Tensor, eps = 1e-3): Tensor {
  if (data.ndim !== 2) throw new ArgumentError(`baseRateVisibleBias: data must be [N, V], found ndim ${data.ndim}`);
  const p = data.to('float64').mean(0).clamp(eps, 1 - eps);
  return p.log().sub(p.neg().add(1).log());
}

/** Summary statistics of importance log-weights, computed stably (shifting by the max). */
export function summariseLogWeights(logW: Float64Array, logZA: number): Omit<AISResult, 'baseLogZ' | 'logWeights'> {
  const m = logW.length;
  let mx = -Infinity;
  for (const x of logW) mx = Math.max(mx, x);
  let s1 = 0;
  let s2 = 0;
  for (const x of logW) {
    const w = Math.exp(x - mx);
    s1 += w;
    s2 += w * w;
  }
  const mean = s1 / m;
  const variance = m > 1 ? Math.max(0, (s2 - m * mean * mean) / (m - 1)) : 0;
  const se = Math.sqrt(variance / m);
  return {
    logZ: logZA + mx + Math.log(mean),
    logZStdErr: se / mean,
    logZLow: mean - 3 * se > 0 ? logZA + mx + Math.log(mean - 3 * se) : -Infinity,
    logZHigh: logZA + mx + Math.log(mean + 3 * se),
    effectiveSampleSize: (s1 * s1) / s2,
  };
}

/**
 * logW[i] += Σ_j softplus(β·a_ij) − softplus(β'·a_ij) for logits a [M, H] (row-major): the hidden
 * part of log p*_β − log p*_β'. One float64 pass in plain loops, because this runs once per
 * temperature (thousands of times) and a chain of tensor ops costs several times more here.
 */
function addSoftplusDifferences(logW: Float64Array, a: Float64Array, h: number, beta: number, betaPrev: number): void {
  const sp = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
  for (let i = 0; i < logW.length; i++) {
    let s = 0;
    for (let j = i * h, end = j + h; j < end; j++) s += sp(beta * a[j]!) - sp(betaPrev * a[j]!);
    logW[i] = logW[i]! + s;
  }
}

/** Estimates log Z of an RBM (Bernoulli or Gaussian visible units) by AIS. */
export function ais(rbm: RBMBase, opts: AISOptions = {}): AISResult {
  const numRuns = checkPositiveInt('ais', 'numRuns', opts.numRuns ?? 100);
  const betas = opts.betas ?? salakhutdinovMurraySchedule(0.1);
  checkSchedule('ais', betas);
  const model = rbm.dtype === 'float64' ? rbm : rbm.withDType('float64');
  let bA = opts.baseVisibleBias ?? null;
  if (bA) {
    if (!model.acceptsBaseVisibleBias) {
      throw new ArgumentError(`ais: baseVisibleBias applies to Bernoulli visible units only; ${rbm.constructor.name} anneals from its own Gaussian, pass null`);
    }
    if (bA.ndim !== 1 || bA.shape[0] !== model.nVisible) {
      throw new ArgumentError(`ais: baseVisibleBias must have shape [${model.nVisible}], found [${bA.shape.join(', ')}]`);
    }
    bA = bA.detach().to('float64');
  }
  const gen = opts.generator;
  const matmulDType = opts.matmulDType ?? 'float64';
  if (matmulDType !== 'float32' && matmulDType !== 'float64') throw new ArgumentError(`ais: matmulDType must be 'float32' or 'float64', found '${String(matmulDType)}'`);
  const fast = matmulDType === 'float64' ? model : rbm.withDType('float32');
  const bAFast = bA ? bA.to(fast.dtype) : null;
  return noGrad(() => {
    let v = model.sampleBase(numRuns, bA, gen);
    const logW = new Float64Array(numRuns);
    for (let k = 1; k < betas.length; k++) {
      const bPrev = betas[k - 1]!;
      const b = betas[k]!;
      const fastLogits = fast.hiddenLogits(v.to(fast.dtype)); // [M, H], shared by both log p* terms and the h draw
      const logits = fastLogits.to('float64');
      const visibleDiff = model.annealedVisibleTerm(v, b, bA).sub(model.annealedVisibleTerm(v, bPrev, bA)).storage; // [M]
      addSoftplusDifferences(logW, logits.storage as Float64Array, model.nHidden, b, bPrev);
      for (let i = 0; i < numRuns; i++) logW[i] = logW[i]! + visibleDiff[i]!;
      // Transition T_k leaves p_{β_k} invariant: h ~ p_β(h | v), v ~ p_β(v | h).
      if (k < betas.length - 1) {
        const h = bernoulli(fastLogits.mul(b).sigmoid(), { generator: gen });
        v = fast.annealedSampleVisible(h.to(fast.dtype), b, bAFast, gen).to('float64');
      }
    }
    const logZA = model.baseLogZ(bA);
    return { ...summariseLogWeights(logW, logZA), baseLogZ: logZA, logWeights: logW };
  });
}
