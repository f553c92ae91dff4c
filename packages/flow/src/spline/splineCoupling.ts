import type { Tensor } from '@likelihood/core';
import { type CouplingOptions, MaskedCoupling } from '../coupling/coupling.js';
import { MLPConditioner } from '../coupling/conditioner.js';
import { unconstrainedRationalQuadraticSpline } from './rationalQuadratic.js';

export interface SplineLayerOptions {
  /** Number of bins K (default 8). */
  numBins?: number;
  /** The spline acts on [−B, B], identity outside (default 3). */
  tailBound?: number;
  /** Start every spline at the identity for zero conditioner outputs (nflows' enable_identity_init; default false). */
  identityInit?: boolean;
}

/** Raw params [N, 3K − 1, ...event] → widths, heights [.., K] and interior derivatives [.., K − 1], parameter dim last. */
export function splitSplineParams(params: Tensor, k: number, scale: number): { w: Tensor; h: Tensor; d: Tensor } {
  const nd = params.ndim;
  const last = params.permute([0, ...Array.from({ length: nd - 2 }, (_, i) => i + 2), 1]); // [N, ...event, 3K − 1]
  return { w: last.narrow(-1, 0, k).div(scale), h: last.narrow(-1, k, k).div(scale), d: last.narrow(-1, 2 * k, k - 1) };
}

/**
 * Rational-quadratic neural spline coupling (Durkan et al. 2019; nflows'
 * PiecewiseRationalQuadraticCouplingTransform with linear tails): the transformed part goes
 * through a monotone spline with K bins on [−B, B] whose 3K − 1 parameters per coordinate come
 * from the conditioner. The spline is the data → noise map (as in nflows); noise → data is its
 * closed-form inverse. As in nflows, raw widths and heights are divided by √hidden of an MLP
 * conditioner.
 */
export class RQSCoupling extends MaskedCoupling {
  protected readonly paramsPerElement: number;
  readonly numBins: number;
  readonly tailBound: number;
  readonly identityInit: boolean;
  constructor(mask: Tensor, opts: CouplingOptions & SplineLayerOptions = {}) {
    const k = opts.numBins ?? 8;
    super(mask, 3 * k - 1, opts);
    this.paramsPerElement = 3 * k - 1;
    this.numBins = k;
    this.tailBound = opts.tailBound ?? 3;
    this.identityInit = opts.identityInit ?? false;
  }
  private spline(v: Tensor, params: Tensor, inverse: boolean) {
    const scale = this.conditioner instanceof MLPConditioner ? Math.sqrt(this.conditioner.hiddenFeatures) : 1;
    const { w, h, d } = splitSplineParams(params, this.numBins, scale);
    return unconstrainedRationalQuadraticSpline(v, w, h, d, { inverse, tailBound: this.tailBound, enableIdentityInit: this.identityInit });
  }
  protected elementForward(x: Tensor, params: Tensor) {
    const r = this.spline(x, params, true);
    return { y: r.outputs, logDet: r.logAbsDet };
  }
  protected elementInverse(y: Tensor, params: Tensor) {
    const r = this.spline(y, params, false);
    return { x: r.outputs, logDet: r.logAbsDet };
  }
}
