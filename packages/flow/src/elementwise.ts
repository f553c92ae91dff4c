import { ArgumentError, type Tensor, logSigmoid, sigmoid } from '@likelihood/core';
import { Bijector, sumPerExample } from './bijector.js';

function eventDimOf(op: string, eventDim: number | undefined): number {
  const e = eventDim ?? 1;
  if (!Number.isInteger(e) || e < 1) throw new ArgumentError(`${op}: eventDim must be a positive integer, found ${e}`);
  return e;
}

/** log σ′(x) = log σ(x) + log σ(−x), exact in both tails. */
const logSigmoidDerivative = (x: Tensor) => logSigmoid(x).add(logSigmoid(x.neg()));
const logit = (p: Tensor) => p.log().sub(p.neg().log1p());

/** Elementwise y = σ(x) (ℝ → (0, 1)), log|det| = Σ log σ(x) + log σ(−x). */
export class SigmoidBijector extends Bijector {
  readonly eventDim: number;
  constructor(opts: { eventDim?: number } = {}) {
    super();
    this.eventDim = eventDimOf('SigmoidBijector', opts.eventDim);
  }
  forward(x: Tensor) {
    return { y: sigmoid(x), logAbsDet: sumPerExample(logSigmoidDerivative(x)) };
  }
  inverse(y: Tensor) {
    const x = logit(y);
    return { x, logAbsDet: sumPerExample(logSigmoidDerivative(x)).neg() };
  }
}

/** Elementwise y = logit(x) ((0, 1) → ℝ), the inverse of SigmoidBijector. */
export class LogitBijector extends Bijector {
  readonly eventDim: number;
  constructor(opts: { eventDim?: number } = {}) {
    super();
    this.eventDim = eventDimOf('LogitBijector', opts.eventDim);
  }
  forward(x: Tensor) {
    const y = logit(x);
    return { y, logAbsDet: sumPerExample(logSigmoidDerivative(y)).neg() };
  }
  inverse(y: Tensor) {
    return { x: sigmoid(y), logAbsDet: sumPerExample(logSigmoidDerivative(y)) };
  }
}

/**
 * RealNVP's logit preprocessing as the data-side layer of a flow on dequantised data in
 * [0, 1]: data → noise u = logit(α + (1 − 2α)·x), noise → data x = (σ(u) − α)/(1 − 2α).
 * log|det ∂u/∂x| = Σ [log(1 − 2α) − log p − log(1 − p)], p = α + (1 − 2α)x. The α squeeze keeps
 * dequantised pixels away from 0 and 1 (RealNVP α = 0.05; MAF α = 1e−6).
 */
export class LogitPreprocess extends Bijector {
  readonly eventDim: number;
  readonly alpha: number;
  constructor(opts: { alpha?: number; eventDim?: number } = {}) {
    super();
    this.alpha = opts.alpha ?? 0.05;
    if (!(this.alpha >= 0 && this.alpha < 0.5)) throw new ArgumentError(`LogitPreprocess: alpha must be in [0, 0.5), found ${this.alpha}`);
    this.eventDim = eventDimOf('LogitPreprocess', opts.eventDim);
  }
  /** noise (logit space) → data in [0, 1]. */
  forward(u: Tensor) {
    const a = this.alpha;
    const x = sigmoid(u).sub(a).div(1 - 2 * a);
    const perElem = logSigmoidDerivative(u).sub(Math.log(1 - 2 * a));
    return { y: x, logAbsDet: sumPerExample(perElem) };
  }
  /** data in [0, 1] → logit space. */
  inverse(x: Tensor) {
    const a = this.alpha;
    const p = x.mul(1 - 2 * a).add(a);
    const logp = p.log();
    const log1mp = p.neg().log1p();
    const perElem = logp.add(log1mp).neg().add(Math.log(1 - 2 * a));
    return { x: logp.sub(log1mp), logAbsDet: sumPerExample(perElem) };
  }
}
