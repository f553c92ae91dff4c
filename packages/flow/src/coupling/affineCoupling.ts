import type { Tensor } from '@likelihood/core';
import { type CouplingOptions, MaskedCoupling, paramAt } from './coupling.js';

export interface AffineCouplingOptions extends CouplingOptions {
  /** Log-scales are soft-clamped to (−scaleClamp, scaleClamp) by s = c·tanh(raw/c) (default 3), keeping training stable. */
  scaleClamp?: number;
}

/**
 * RealNVP's affine coupling (Dinh et al. 2017): on the transformed part, noise → data is
 * y = x·exp(s) + t and data → noise x = (y − t)·exp(−s), with (s, t) from the conditioner
 * and log|det ∂y/∂x| = Σ s. With raw outputs 0 it is the identity.
 */
export class AffineCoupling extends MaskedCoupling {
  protected readonly paramsPerElement = 2;
  readonly scaleClamp: number;
  constructor(mask: Tensor, opts: AffineCouplingOptions = {}) {
    super(mask, 2, opts);
    this.scaleClamp = opts.scaleClamp ?? 3;
  }
  private scaleShift(params: Tensor): { s: Tensor; t: Tensor } {
    const c = this.scaleClamp;
    return { s: paramAt(params, 0).div(c).tanh().mul(c), t: paramAt(params, 1) };
  }
  protected elementForward(x: Tensor, params: Tensor) {
    const { s, t } = this.scaleShift(params);
    return { y: x.mul(s.exp()).add(t), logDet: s };
  }
  protected elementInverse(y: Tensor, params: Tensor) {
    const { s, t } = this.scaleShift(params);
    const negS = s.neg();
    return { x: y.sub(t).mul(negS.exp()), logDet: negS };
  }
}
