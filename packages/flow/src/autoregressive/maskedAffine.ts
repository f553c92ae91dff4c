import { ArgumentError, type Tensor } from '@likelihood/core';
import { Bijector, type Context, checkContext, checkInput } from '../bijector.js';
import { MADE, type MADEOptions } from './made.js';

export interface MaskedAutoregressiveOptions extends Omit<MADEOptions, 'outputMultiplier'> {
  /** Log-scales are soft-clamped to (−c, c) by s = c·tanh(raw/c) (default 3). */
  scaleClamp?: number;
}

/** Runs `step` D times, each pass fixing one more coordinate: the sequential direction of an autoregressive map. */
export function solveSequentially(d: number, start: Tensor, step: (current: Tensor) => Tensor): Tensor {
  let cur = start;
  for (let i = 0; i < d; i++) cur = step(cur);
  return cur;
}

/**
 * Affine autoregressive flow with a MADE conditioner: data y and noise x are related by
 * y_i = x_i·exp(s_i) + t_i, where (s_i, t_i) depend on the preceding coordinates of the
 * "parallel" side. 'maf' (Papamakarios et al. 2017) conditions on y: density evaluation
 * (inverse, x = (y − t(y))·exp(−s(y))) takes one pass, sampling D passes. 'iaf' (Kingma et
 * al. 2016) conditions on x: sampling (forward) takes one pass, density D passes.
 * log|det ∂y/∂x| = Σ s in both cases.
 */
export class MaskedAffineAutoregressive extends Bijector {
  readonly eventDim = 1;
  readonly features: number;
  readonly contextFeatures: number;
  readonly direction: 'maf' | 'iaf';
  readonly scaleClamp: number;
  readonly made: MADE;

  constructor(features: number, opts: MaskedAutoregressiveOptions & { direction?: 'maf' | 'iaf' } = {}) {
    super();
    this.features = features;
    this.contextFeatures = opts.contextFeatures ?? 0;
    this.direction = opts.direction ?? 'maf';
    if (this.direction !== 'maf' && this.direction !== 'iaf') throw new ArgumentError(`MaskedAffineAutoregressive: direction must be 'maf' or 'iaf', found '${String(this.direction)}'`);
    this.scaleClamp = opts.scaleClamp ?? 3;
    this.made = new MADE(features, { ...opts, outputMultiplier: 2 });
  }

  private scaleShift(v: Tensor, context: Context): { s: Tensor; t: Tensor } {
    const p = this.made.forward(v, context); // [N, D, 2]
    const c = this.scaleClamp;
    return { s: p.narrow(2, 0, 1).squeeze(2).div(c).tanh().mul(c), t: p.narrow(2, 1, 1).squeeze(2) };
  }

  private check(op: string, v: Tensor, context: Context): void {
    checkInput(`${this.constructor.name}.${op}`, v, [this.features]);
    checkContext(`${this.constructor.name}.${op}`, context, v.shape[0]!, this.contextFeatures);
  }

  forward(x: Tensor, context?: Context) {
    this.check('forward', x, context);
    if (this.direction === 'iaf') {
      const { s, t } = this.scaleShift(x, context);
      return { y: x.mul(s.exp()).add(t), logAbsDet: s.sum(1) };
    }
    let s: Tensor = x;
    const y = solveSequentially(this.features, x.mul(0), (cur) => {
      const p = this.scaleShift(cur, context);
      s = p.s;
      return x.mul(p.s.exp()).add(p.t);
    });
    return { y, logAbsDet: s.sum(1) };
  }

  inverse(y: Tensor, context?: Context) {
    this.check('inverse', y, context);
    if (this.direction === 'maf') {
      const { s, t } = this.scaleShift(y, context);
      return { x: y.sub(t).mul(s.neg().exp()), logAbsDet: s.sum(1).neg() };
    }
    let s: Tensor = y;
    const x = solveSequentially(this.features, y.mul(0), (cur) => {
      const p = this.scaleShift(cur, context);
      s = p.s;
      return y.sub(p.t).mul(p.s.neg().exp());
    });
    return { x, logAbsDet: s.sum(1).neg() };
  }
}

/** Masked autoregressive flow layer: one-pass density, D-pass sampling. */
export class MAF extends MaskedAffineAutoregressive {
  constructor(features: number, opts: MaskedAutoregressiveOptions = {}) {
    super(features, { ...opts, direction: 'maf' });
  }
}

/** Inverse autoregressive flow layer: one-pass sampling (and sampleAndLogProb), D-pass density. */
export class IAF extends MaskedAffineAutoregressive {
  constructor(features: number, opts: MaskedAutoregressiveOptions = {}) {
    super(features, { ...opts, direction: 'iaf' });
  }
}
